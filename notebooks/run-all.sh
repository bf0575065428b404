#!/usr/bin/env bash
# notebooks/run-all.sh [WORK_DIR]: a small end-to-end run of the jobs through deploy/bin/tinybert, then every notebook
# executed headlessly on its outputs; fails when a job fails, a committed notebook has outputs, a cell raises or a
# figure comes out empty. What CI runs after the tests (.ci/run); a few minutes on 2 cores.
#
# The run (tiny models and data: deploy/sample/ and a synthetic SST-2 task from sample_task.py): general distillation
# with all losses and the paper's Table 3 ablations (no attention, no hidden-state, no embedding loss), augmentation
# with its side file, teacher fine-tuning, task distillation, evaluation of teacher and student, and both benchmarks
# at small sizes. Outputs go to WORK_DIR (default runs/notebooks-e2e, emptied first); the executed notebooks to
# WORK_DIR/notebooks/.
#
# Needs the jar (mvn -q -B package -DskipTests), Java 17, and Debian's Python with jupyter-nbconvert,
# python3-ipykernel, python3-nbformat, python3-pandas and python3-matplotlib. Notebooks run on /usr/bin/python3
# whatever python3 comes first on PATH (e.g. pyenv's): its own kernel spec is written into WORK_DIR.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
work="${1:-$root/runs/notebooks-e2e}"
py=/usr/bin/python3
tinybert="$root/deploy/bin/tinybert"
start=$SECONDS

if ! "$py" -c 'import nbconvert, nbformat, ipykernel, pandas, matplotlib' 2>/dev/null; then
  echo "run-all: $py lacks nbconvert, nbformat, ipykernel, pandas or matplotlib; install them with" >&2
  echo "  apt-get install jupyter-nbconvert python3-nbformat python3-ipykernel python3-pandas python3-matplotlib" >&2
  exit 1
fi

# 1. The committed notebooks carry no outputs (and have their parameters cell first).
"$py" "$root/notebooks/check_notebooks.py" clean "$root"/notebooks/*.ipynb

# WORK_DIR is emptied, but only when it is new or a previous run of this script made it.
if [[ -e "$work" && ! -e "$work/.run-all" ]]; then
  echo "run-all: $work exists and was not made by run-all.sh; give a new or empty directory" >&2
  exit 1
fi
rm -rf "$work"
mkdir -p "$work/logs" "$work/evals/sst-2" "$work/bench" "$work/glue"
touch "$work/.run-all"
export OMP_WAIT_POLICY=PASSIVE

# step NAME COMMAND...: runs a job with its output in logs/NAME.log; on failure shows the log's end and stops.
step() {
  local name="$1" t0=$SECONDS
  shift
  if ! "$@" >"$work/logs/$name.log" 2>&1; then
    echo "run-all: $name failed ($*); the end of $work/logs/$name.log:" >&2
    tail -n 40 "$work/logs/$name.log" >&2
    exit 1
  fi
  echo "run-all: $name: $((SECONDS - t0)) s" >&2
}

# 2. Data: a synthetic SST-2 task and GloVe file (deterministic), beside the bundled corpus and tiny teacher.
"$py" "$root/notebooks/sample_task.py" "$work/glue"
task="$work/glue/SST-2"

# 3. General distillation: all losses, then each ablation. The ablations start from the full run's tokenized
#    instances and minibatch files (same corpus, vocabulary and packing, so the job reuses them), saving their
#    tokenizing. Averaging frequency 2 here and below: half the rounds, so half the fixed cost per round.
gd=(general-distill --epochs 1 --workers 2 --averaging-frequency 2)
step general-distill "$tinybert" "${gd[@]}" --output "$work/gd"
for ablation in attention:no-att hidden:no-hid embedding:no-emb; do
  loss="${ablation%%:*}"
  out="$work/gd-${ablation##*:}"
  mkdir -p "$out"
  cp -r "$work/gd/data" "$out/"
  step "general-distill-$loss-off" "$tinybert" "${gd[@]}" --output "$out" \
    --set "tinybert.general-distill.$loss-weight=0"
done

# 4. Augmentation with its side file, into the task directory (task-distill trains on train_aug.tsv).
step augment "$tinybert" augment --task sst-2 --input "$task/train.tsv" --glove "$work/glue/glove.txt" \
  --mlm "$root/deploy/sample/teacher" --output "$task/train_aug.tsv" --side-output "$task/train_aug.jsonl" \
  --variants 4 --top-k 4

# 5. The task teacher: the sample teacher fine-tuned on the task (a new 2-label classifier for its 3-label one).
ft=tinybert.finetune-teacher
step finetune-teacher "$tinybert" finetune-teacher --model "$root/deploy/sample/teacher" --task sst-2 \
  --task-dir "$task" --output "$work/teacher" --epochs 3 --batch-size 16 --workers 2 --learning-rate 2e-3 \
  --set "$ft.new-classifier=true" --set "$ft.averaging-frequency=3"

# 6. Task distillation of the general student (both stages), scoring dev every 2 steps of the prediction stage.
td=tinybert.task-distill
sets=()
for stage in intermediate prediction; do
  sets+=(--set "$td.$stage.epochs=1" --set "$td.$stage.batch-size=16" --set "$td.$stage.workers=2"
    --set "$td.$stage.averaging-frequency=2" --set "$td.$stage.learning-rate=1e-3")
done
step task-distill "$tinybert" task-distill --task sst-2 --task-dir "$task" --teacher "$work/teacher/best" \
  --student "$work/gd/student" --output "$work/student" --eval-every 2 "${sets[@]}"

# 7. Dev metrics of teacher and student.
for who in teacher student; do
  step "evaluate-$who" "$tinybert" evaluate --model "$work/$who/best" --task sst-2 --task-dir "$task" \
    --output "$work/evals/sst-2/$who.json"
done

# 8. Benchmarks (BERT-base and TinyBERT4 sizes, random weights) at a small batch: their JSON lines.
for bench in inference distill-step; do
  step "bench-$bench" "$tinybert" bench "$bench" --batch 2 --seq-length 16 --steps 2 --warmup 1
  grep '^{' "$work/logs/bench-$bench.log" | tail -n 1 >"$work/bench/$bench.json"
done
echo "run-all: jobs done in $((SECONDS - start)) s" >&2

# The training runs the notebooks read fit the run records' schemas (docs/schema/, which the Java writers are tested
# against): a notebook never reads a field a job stopped writing.
"$py" "$root/notebooks/check_notebooks.py" runs "$work/gd" "$work/gd-no-att" "$work/gd-no-hid" "$work/gd-no-emb" \
  "$work/teacher" "$work/student"

# 9. Every notebook, on /usr/bin/python3's kernel, with its parameters pointed at the outputs above.
mkdir -p "$work/jupyter/kernels/tinybert-python3" "$work/jupyter/runtime" "$work/mpl" "$work/ipython"
cat >"$work/jupyter/kernels/tinybert-python3/kernel.json" <<EOF
{"argv": ["$py", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (Debian, run-all.sh)", "language": "python"}
EOF
export JUPYTER_PATH="$work/jupyter" JUPYTER_RUNTIME_DIR="$work/jupyter/runtime" MPLCONFIGDIR="$work/mpl"
export IPYTHONDIR="$work/ipython" PYDEVD_DISABLE_FILE_VALIDATION=1
export TINYBERT_DISTILL_RUNS="all losses=$work/gd,no attention=$work/gd-no-att,no hidden=$work/gd-no-hid,\
no embedding=$work/gd-no-emb,task-distill intermediate=$work/student/intermediate,\
task-distill prediction=$work/student,teacher fine-tuning=$work/teacher"
export TINYBERT_TEACHER_EVALS="$work/evals/*/teacher.json"
export TINYBERT_STUDENT_EVALS="$work/evals/*/student.json"
export TINYBERT_MODELS="teacher=$work/teacher/best,student=$work/student/best,general student=$work/gd/student"
export TINYBERT_BENCH_INFERENCE="$work/bench/inference.json"
export TINYBERT_BENCH_DISTILL_STEP="$work/bench/distill-step.json"
export TINYBERT_BENCH_REFERENCE=""
export TINYBERT_BENCHMARKS_DOC="$root/docs/benchmarks.md"
export TINYBERT_AUGMENTED="$task/train_aug.tsv"
export TINYBERT_AUGMENT_SIDE="$task/train_aug.jsonl"
t0=$SECONDS
"$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=tinybert-python3 \
  --ExecutePreprocessor.timeout=300 --output-dir "$work/notebooks" "$root"/notebooks/*.ipynb \
  >"$work/logs/nbconvert.log" 2>&1 || {
  echo "run-all: a notebook failed; the end of $work/logs/nbconvert.log:" >&2
  tail -n 60 "$work/logs/nbconvert.log" >&2
  exit 1
}
"$py" "$root/notebooks/check_notebooks.py" executed "$work"/notebooks/*.ipynb
echo "run-all: notebooks: $((SECONDS - t0)) s; all done in $((SECONDS - start)) s; executed notebooks in" \
  "$work/notebooks" >&2
