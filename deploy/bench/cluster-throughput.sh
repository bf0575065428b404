#!/usr/bin/env bash
# General distillation spark-submitted to a running cluster (deploy/spark/submit.sh): examples/s at several averaging
# frequencies and what a round costs besides training. One JSON line per frequency, then the per-round figures.
#
#   SPARK_HOME=... SPARK_MASTER_URL=spark://host:7077 deploy/bench/cluster-throughput.sh TEACHER OUT_DIR [FREQ:COPIES...]
#
# TEACHER: a BERT-base directory (a real one, or deploy/bench/random-teacher.py's). The student is TinyBERT4 (4 layers,
# 312 hidden, 12 heads, 1200), seq 128, batch 32 per worker, no probe batch. The corpus is the bundled sample copied
# COPIES times (about 220 instances per copy at seq 128), so each frequency gets a few rounds (default 1:2 4:4 16:11);
# the first round of each run (JIT, teacher load) is left out of the medians. Cluster sizes come from submit.sh's
# environment (EXECUTORS, EXECUTOR_CORES, EXECUTOR_MEMORY, EXECUTOR_OFFHEAP, DRIVER_MEMORY).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
[[ $# -ge 2 ]] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
teacher="$1"; out="$2"; shift 2
runs=("$@"); [[ ${#runs[@]} -gt 0 ]] || runs=(1:2 4:4 16:11)
workers="${EXECUTORS:-2}"
mkdir -p "$out"
for run in "${runs[@]}"; do
  freq="${run%%:*}"; copies="${run##*:}"
  corpus="$out/corpus-$copies"
  if [[ ! -d "$corpus" ]]; then
    mkdir -p "$corpus"
    for ((c = 0; c < copies; c++)); do cat "$root/deploy/sample/corpus/sample.txt"; echo; done >"$corpus/sample.txt"
  fi
  dir="$out/gd-f$freq"; rm -rf "$dir"
  g=tinybert.general-distill
  start=$SECONDS
  "$root/deploy/spark/submit.sh" standalone cpu general-distill --teacher "$teacher" --output "$dir" \
    --set "$g.corpus=[\"$corpus\"]" --epochs 1 --workers "$workers" --batch-size 32 --max-seq-length 128 \
    --averaging-frequency "$freq" --set "$g.student-layers=4" --set "$g.student-hidden=312" \
    --set "$g.student-heads=12" --set "$g.student-intermediate=1200" --set "$g.probe-examples=0" \
    --set "$g.checkpoint-every=1000" >"$out/gd-f$freq.log" 2>&1
  wall=$((SECONDS - start))
  python3 - "$dir" "$freq" "$wall" "$out/gd-f$freq.log" <<'PY'
import json, re, statistics, sys
d, freq, wall, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
recs = [json.loads(l) for l in open(d + "/metrics.jsonl")]
man = json.load(open(d + "/manifest.json"))
steady = recs[1:] or recs
med = lambda k: statistics.median(r[k] for r in steady)
batch = man["settings"]["training"]["batchSize"]; workers = man["plan"]["workers"]
ckpt = [float(s) for s in re.findall(r"checkpoint \S+ \(.*\) in ([0-9.]+) s", open(log).read())]
print(json.dumps({
    "averaging_frequency": freq, "workers": workers, "batch_per_worker": batch, "rounds": len(recs),
    "round_seconds_median": round(med("round_seconds"), 2), "step_seconds_median": round(med("step_seconds"), 2),
    "round_overhead_seconds_median": round(med("round_seconds") - med("step_seconds"), 2),
    "overhead_share": round(1 - med("step_seconds") / med("round_seconds"), 3),
    "examples_per_second": round(workers * freq * batch / med("round_seconds"), 2),
    "round_bytes_per_worker": man["round_bytes_per_worker"], "checkpoint_seconds": ckpt,
    "submit_to_finish_seconds": wall}))
PY
done
