#!/usr/bin/env bash
# finetune-teacher against transformers' own fine-tuning loop, alternated in one session (A B A B ...): a random BERT
# of all-MiniLM-L6-v2's shape (6 layers, hidden 384, 12 heads, FFN 1536, WordPiece 30,522: 22.7 M parameters), a
# sentence-pair task in RTE's layout made from the bundled sample corpus, seq 48, batch 32, local[2], the job's
# default settings (averaging frequency 1, two workers). Prints one JSON line per run and the ratio of the medians.
#
#   deploy/bench/finetune-vs-transformers.sh OUT_DIR [PAIRS] [PYTHON]
#
# PYTHON must have torch and transformers (default: python3). The Java job's examples/s is taken from metrics.jsonl
# over the rounds after the first (JIT and model loading excluded, as the Python loop excludes its first steps); its
# fixed_share is the part of those rounds spent beyond the slowest worker's optimiser steps.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
out="${1:?usage: $0 OUT_DIR [PAIRS] [PYTHON]}"
pairs="${2:-2}"
py="${3:-python3}"
mkdir -p "$out"
model="$out/minilm-shape"
[[ -f "$model/model.safetensors" ]] || python3 "$root/deploy/bench/random-teacher.py" "$model" --layers 6 \
  --hidden 384 --heads 12 --intermediate 1536
task="$out/RTE"
# 50 minibatches of 32: 25 rounds of two workers
[[ -f "$task/train.tsv" ]] || python3 "$root/deploy/bench/pair-task.py" "$task" 1600 64
java_run() {
  local dir="$out/ft-$1"; rm -rf "$dir"
  SPARK_MASTER='local[2]' "$root/deploy/bin/tinybert" finetune-teacher --model "$model" --task rte --task-dir "$task" \
    --output "$dir" --max-seq-length 48 --batch-size 32 --epochs 1 >"$dir.log" 2>&1
  python3 - "$dir/metrics.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][1:]
secs = sum(r["round_seconds"] for r in recs)
print(json.dumps({"run": "tinybert finetune-teacher", "rounds": len(recs),
  "examples_per_second": (recs[-1]["examples"] - recs[0]["examples"] + 64) / secs,
  "median_round_seconds": sorted(r["round_seconds"] for r in recs)[len(recs) // 2],
  "fixed_share": sum(r["fixed_seconds"] for r in recs) / secs}))
PY
}
torch_run() {
  (cd "$root/bench" && "$py" finetune_reference.py --model "$model" --train "$task/train.tsv" --seq 48 --batch 32 \
    --steps 24 --warmup 2) | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d.pop("step_seconds"); d["run"]="transformers loop"; print(json.dumps(d))'
}
results=()
for i in $(seq 1 "$pairs"); do
  j=$(java_run "$i"); echo "$j"; t=$(torch_run); echo "$t"
  results+=("$j" "$t")
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, sys, statistics
rs = [json.loads(l) for l in sys.stdin]
j = statistics.median(r["examples_per_second"] for r in rs if r["run"].startswith("tinybert"))
t = statistics.median(r["examples_per_second"] for r in rs if not r["run"].startswith("tinybert"))
print(json.dumps({"tinybert_examples_per_second": j, "transformers_examples_per_second": t, "ratio": j / t}))'
