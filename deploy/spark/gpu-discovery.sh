#!/usr/bin/env bash
# Spark's GPU discovery script for tinybert executors (spark.executor.resource.gpu.discoveryScript; on standalone
# clusters the Workers' spark.worker.resource.gpu.discoveryScript): prints the GPUs this process may use as
#   {"name": "gpu", "addresses": ["0", "1"]}
# The addresses are CUDA device numbers as ND4J will number them in the executor, which is what a task binds its
# thread to (org.tinybert.runtime.GpuPlugin):
#   - CUDA_VISIBLE_DEVICES set (YARN and Kubernetes containers, or by hand): the process sees those devices
#     renumbered 0..n-1 in that order; set but empty means none;
#   - otherwise nvidia-smi's indices, which are CUDA's numbers when CUDA_DEVICE_ORDER=PCI_BUS_ID
#     (deploy/spark/submit.sh ... gpu sets it for executors);
#   - no nvidia-smi (no NVIDIA driver): no GPUs.
set -euo pipefail

addresses=()
if [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]]; then
  IFS=',' read -r -a visible <<< "${CUDA_VISIBLE_DEVICES}"
  for ((i = 0; i < ${#visible[@]}; i++)); do
    entry="${visible[i]//[[:space:]]/}"
    # CUDA stops at the first entry that names no device ("-1", "NoDevFiles"); entries are numbers or UUIDs.
    [[ "$entry" != "-1" && "$entry" =~ ^((GPU-|MIG-)[0-9a-fA-F-]+|[0-9]+)$ ]] || break
    addresses+=("$i")
  done
elif command -v nvidia-smi >/dev/null 2>&1; then
  while read -r index; do
    [[ "$index" =~ ^[0-9]+$ ]] && addresses+=("$index")
  done < <(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null || true)
fi

json=""
for a in "${addresses[@]+"${addresses[@]}"}"; do json+="${json:+, }\"$a\""; done
printf '{"name": "gpu", "addresses": [%s]}\n' "$json"
