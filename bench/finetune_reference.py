#!/usr/bin/env python3
"""transformers' own fine-tuning loop on a GLUE-format pair task, to pair with `tinybert finetune-teacher`.

usage: python bench/finetune_reference.py --model DIR --train TSV [--seq 48] [--batch 32] [--steps 24] [--warmup 2]

BertForSequenceClassification (2 labels) from a Hugging Face directory, AdamW with a linear schedule, fp32, dropout on
(train mode), 2 threads with OMP_WAIT_POLICY=PASSIVE as the Java runs use; the RTE layout (index, sentence1,
sentence2, label), each minibatch padded to --seq like the Java job's fixed-length features. Times every optimiser
step (tokenisation excluded: the Java job tokenizes once before training too) and prints one JSON line with the
examples/s over the steps after --warmup. Needs torch and transformers.
"""
from reference_env import DEFAULT_REFERENCE  # noqa: F401  first: sets the thread environment

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--seq", type=int, default=48)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(42)
    with open(a.train, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    labels = {"entailment": 0, "not_entailment": 1}
    tok = AutoTokenizer.from_pretrained(a.model)
    enc = tok([r[1] for r in rows], [r[2] for r in rows], truncation=True, max_length=a.seq, padding="max_length",
              return_tensors="pt")
    y = torch.tensor([labels[r[3]] for r in rows])
    model = BertForSequenceClassification.from_pretrained(a.model, num_labels=2)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * a.steps), a.steps)
    times = []
    n = len(rows)
    for step in range(a.steps):
        i = (step * a.batch) % max(1, n - a.batch)
        batch = {k: v[i:i + a.batch] for k, v in enc.items()}
        t = time.perf_counter()
        out = model(**batch, labels=y[i:i + a.batch])
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        times.append(time.perf_counter() - t)
    timed = times[a.warmup:]
    print(json.dumps({"examples_per_second": a.batch * len(timed) / sum(timed), "steps": len(timed),
                      "median_step_seconds": sorted(timed)[len(timed) // 2], "step_seconds": timed}))


if __name__ == "__main__":
    main()
