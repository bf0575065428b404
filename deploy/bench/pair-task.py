#!/usr/bin/env python3
"""Writes a sentence-pair task in RTE's GLUE layout from the bundled sample corpus, for timing runs (labels are a hash
of the pair: nothing to learn).

    python3 deploy/bench/pair-task.py OUT_DIR TRAIN_ROWS DEV_ROWS

OUT_DIR gets train.tsv and dev.tsv (index, sentence1, sentence2, label). Needs the standard library only.
"""
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    out, train, dev = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lines = [l.strip() for l in open(os.path.join(ROOT, "deploy/sample/corpus/sample.txt")) if l.strip()]
    os.makedirs(out, exist_ok=True)
    for name, start, n in (("train.tsv", 0, train), ("dev.tsv", 5000, dev)):
        with open(os.path.join(out, name), "w") as f:
            f.write("index\tsentence1\tsentence2\tlabel\n")
            for i in range(n):
                a, b = lines[(start + i) % len(lines)], lines[(start + 7 * i + 3) % len(lines)]
                label = "entailment" if zlib.crc32(f"{a}|{b}".encode()) % 2 else "not_entailment"
                f.write(f"{i}\t{a}\t{b}\t{label}\n")


if __name__ == "__main__":
    main()
