#!/usr/bin/python3
"""PyTorch timing of one general-distillation step at one batch size, to pair with `tinybert bench distill-step`.

usage: /usr/bin/python3 bench/distill_step_reference.py [--batch 32] [--steps 2] [--reference DIR]

The step of the reference's bench_torch.py (REFERENCE_DIR, default ../shared/reference beside the repository):
BERT-base teacher forward without gradient, TinyBERT4 student forward and backward with the attention, embedding and
hidden losses through a shared fit_dense, torch.optim.Adam; random weights, fp32, seq 128, 2 threads,
OMP_WAIT_POLICY=PASSIVE. bench_torch.py always times batch 32, batch 8 and inference in one process; this runs one
batch size only, so that a whole-process timing can alternate it with the Java benchmark run for run. Prints one
JSON line: the median and every timed step.
"""
import os

from reference_env import DEFAULT_REFERENCE  # first: sets the thread environment

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--reference", default=DEFAULT_REFERENCE)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.reference))
    import bench_torch as bt
    import ref

    torch.set_num_threads(2)
    ref.FAST = False  # bench_torch.py's numbers: the official code's op sequence
    g = torch.Generator().manual_seed(0)
    tcfg, scfg = ref.BertConfig(bt.TEACHER), ref.BertConfig(bt.STUDENT)
    teacher = bt.init_params(tcfg, g)
    student = bt.init_params(scfg, g, fit_size=768, requires_grad=True)
    opt = torch.optim.Adam([p for n, p in student.items() if "pooler" not in n], lr=1e-4)
    ids, seg, mask = bt.make_batch(args.batch, 128, g)

    def step():
        with torch.no_grad():
            t_out = ref.bert_forward(teacher, tcfg, ids, seg, mask)
        s_out = ref.bert_forward(student, scfg, ids, seg, mask)
        fit = ref.fit_dense(student, s_out["hidden_states"])
        att, rep, _ = ref.intermediate_losses(t_out, s_out, fit)
        loss = att + rep
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    median, times = bt.timeit(step, args.steps)
    print(json.dumps({"batch": args.batch, "seconds_per_step": round(median, 4),
                      "step_seconds": [round(t, 4) for t in times], "torch": torch.__version__}))


if __name__ == "__main__":
    main()
