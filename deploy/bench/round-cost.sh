#!/usr/bin/env bash
# What an averaging round costs beyond its steps, at averaging frequency 1 on local[2] (two workers): general
# distillation (BERT-base-sized teacher, TinyBERT4 student, seq 128, batch 32) and fine-tuning a BERT-base-sized model
# (110 M parameters; seq 48, batch 32, the pair task of finetune-vs-transformers.sh). One JSON line per job: the
# bytes a round moves per worker (manifest.json), the median round, step and fixed seconds and the fixed share over
# the rounds after the first (JIT, model loading).
#
#   deploy/bench/round-cost.sh OUT_DIR [BERT_BASE_DIR]
#
# BERT_BASE_DIR defaults to a random one written by random-teacher.py into OUT_DIR.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
out="${1:?usage: $0 OUT_DIR [BERT_BASE_DIR]}"
base="${2:-$out/bertbase}"
mkdir -p "$out"
[[ -f "$base/model.safetensors" ]] || python3 "$root/deploy/bench/random-teacher.py" "$base"
summary() { # dir name
  python3 - "$1" "$2" <<'PY'
import json, statistics, sys
d, name = sys.argv[1], sys.argv[2]
recs = [json.loads(l) for l in open(d + "/metrics.jsonl")][1:]
man = json.load(open(d + "/manifest.json"))
med = lambda k: statistics.median(r[k] for r in recs)
print(json.dumps({"job": name, "rounds": len(recs), "round_bytes_per_worker": man["round_bytes_per_worker"],
  "median_round_seconds": med("round_seconds"), "median_step_seconds": med("step_seconds"),
  "median_fixed_seconds": med("fixed_seconds"),
  "fixed_share": sum(r["fixed_seconds"] for r in recs) / sum(r["round_seconds"] for r in recs)}))
PY
}
corpus="$out/corpus"
if [[ ! -d "$corpus" ]]; then
  mkdir -p "$corpus"
  for c in 1 2; do cat "$root/deploy/sample/corpus/sample.txt"; echo; done >"$corpus/sample.txt"
fi
g=tinybert.general-distill
rm -rf "$out/gd"
SPARK_MASTER='local[2]' "$root/deploy/bin/tinybert" general-distill --teacher "$base" --output "$out/gd" \
  --set "$g.corpus=[\"$corpus\"]" --epochs 1 --workers 2 --batch-size 32 --max-seq-length 128 \
  --averaging-frequency 1 --set "$g.student-layers=4" --set "$g.student-hidden=312" --set "$g.student-heads=12" \
  --set "$g.student-intermediate=1200" --set "$g.probe-examples=0" --set "$g.checkpoint-every=1000" \
  >"$out/gd.log" 2>&1
summary "$out/gd" "general-distill, BERT-base teacher, TinyBERT4, seq 128"
task="$out/RTE"
# 10 minibatches of 32: 5 rounds of two workers
[[ -f "$task/train.tsv" ]] || python3 "$root/deploy/bench/pair-task.py" "$task" 320 32
rm -rf "$out/ft"
SPARK_MASTER='local[2]' "$root/deploy/bin/tinybert" finetune-teacher --model "$base" --task rte --task-dir "$task" \
  --output "$out/ft" --max-seq-length 48 --batch-size 32 --epochs 1 >"$out/ft.log" 2>&1
summary "$out/ft" "finetune-teacher, BERT-base-sized (110 M parameters), seq 48"
