#!/usr/bin/env bash
# Measures general distillation on the bundled sample: examples/s at local[1] and local[2], and the cost of one
# parameter-averaging round at several averaging frequencies (fitting t_round = overhead + f * t_minibatch).
# Prints one JSON line per run, then a summary line. Usage: deploy/bench/general-distill-scaling.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
out="${1:-$(mktemp -d)}"
run() { # master freq
  local dir="$out/run-${1//[^a-z0-9]/}-$2"; rm -rf "$dir"   # no [ ] in paths: Hadoop reads them as globs
  SPARK_MASTER="$1" "$root/deploy/bin/tinybert" general-distill --output "$dir" --epochs 1 \
    --averaging-frequency "$2" --set tinybert.general-distill.probe-examples=0 \
    --set tinybert.general-distill.checkpoint-every=1000 >/dev/null 2>&1
  # Skip the first round (JIT, teacher load); average the rest.
  python3 - "$dir/metrics.jsonl" "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][1:]
n = len(recs)
print(json.dumps({"master": sys.argv[2], "averaging_frequency": int(sys.argv[3]), "rounds": n,
  "round_seconds_median": sorted(r["round_seconds"] for r in recs)[n // 2],
  "examples_per_second": (recs[-1]["examples"] - recs[0]["examples"]) / sum(r["round_seconds"] for r in recs[1:])}))
PY
}
run 'local[1]' 2; run 'local[2]' 2; run 'local[2]' 1; run 'local[2]' 4
