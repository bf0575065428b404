"""Writes the sample tasks' tables (made-up text over the sample models' vocabulary; python3 make_tasks.py).

reviews/  single-text classification with string labels (CSV): a review is praise or a complaint by its keyword.
pairs/    pair classification (JSON lines): two sentences are "same" when their keywords have the same polarity.
scores/   regression (TSV with a header): a sentence's score (0-5) is its keyword's, plus a little noise.
"""
import csv
import json
import random

NEUTRAL = ["the", "cat", "dog", "house", "tree", "river", "car", "book", "city", "music", "moon", "sky", "road",
           "bird", "fish", "horse", "school", "film", "song", "game"]
POSITIVE = ["good", "great", "wonderful", "happy", "best", "funny"]
NEGATIVE = ["bad", "terrible", "awful", "boring", "worst", "sad"]
SCORE = {"wonderful": 5, "best": 5, "great": 4, "good": 3.5, "funny": 3, "happy": 3,
         "sad": 2, "boring": 1.5, "bad": 1, "awful": 0.5, "terrible": 0, "worst": 0}

rnd = random.Random(20)


def sentence(keyword):
    words = [rnd.choice(NEUTRAL) for _ in range(rnd.randint(2, 5))]
    # The keyword first: a tiny random BERT learns it in a few steps (see the jobs tests' SyntheticSst2).
    return " ".join([keyword] + words)


def reviews(n, labelled):
    rows = []
    for i in range(n):
        positive = rnd.random() < 0.5
        text = sentence(rnd.choice(POSITIVE if positive else NEGATIVE))
        if i % 7 == 3:
            text += ', the "' + rnd.choice(NEUTRAL) + '" one'  # a comma and quotes: CSV quoting
        row = {"review_id": "r%03d" % i, "review": text, "source": rnd.choice(["web", "mail", "phone"])}
        if labelled:
            row["label"] = "praise" if positive else "complaint"
        rows.append(row)
    return rows


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def pairs(n, labelled):
    rows = []
    for i in range(n):
        a, b = rnd.random() < 0.5, rnd.random() < 0.5
        row = {"pair_id": 1000 + i, "first": sentence(rnd.choice(POSITIVE if a else NEGATIVE)),
               "second": sentence(rnd.choice(POSITIVE if b else NEGATIVE))}
        if labelled:
            row["relation"] = "same" if a == b else "different"
        rows.append(row)
    return rows


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def scores(n, labelled):
    rows = []
    for i in range(n):
        k = rnd.choice(POSITIVE + NEGATIVE)
        row = {"sentence": sentence(k)}
        if labelled:
            row["score"] = "%.2f" % min(5, max(0, SCORE[k] + rnd.uniform(-0.3, 0.3)))
        rows.append(row)
    return rows


def write_tsv(path, rows):
    with open(path, "w") as f:
        f.write("\t".join(rows[0].keys()) + "\n")
        for r in rows:
            f.write("\t".join(str(v) for v in r.values()) + "\n")


for name, make, write, ext in [("reviews", reviews, write_csv, "csv"), ("pairs", pairs, write_jsonl, "jsonl"),
                               ("scores", scores, write_tsv, "tsv")]:
    import os
    os.makedirs(name, exist_ok=True)
    write("%s/train.%s" % (name, ext), make(64, True))
    write("%s/dev.%s" % (name, ext), make(32, True))
    write("%s/test.%s" % (name, ext), make(16, False))
