"""Writes expected_examples.json and scorer/expected.json for the Java tests, from the hand-made GLUE files here.

An independent oracle: the files are read the way TinyBERT's / Hugging Face's GLUE processors read them (Python csv,
tab-separated, quotechar=None, universal newlines) with the published column positions, and the metrics are
computed with scikit-learn and SciPy as TinyBERT's compute_metrics does. Run: /usr/bin/python3 make_expected.py
"""
import csv
import json
import os

from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import f1_score, matthews_corrcoef

HERE = os.path.dirname(os.path.abspath(__file__))

# task -> split -> (file, header?, text_a, text_b, label, index); label -1 = last column; None = absent
LAB = {"train": "train.tsv", "dev": "dev.tsv", "test": "test.tsv"}
def std(labelled, test):
    return {"train": labelled, "dev": labelled, "test": test}
TASKS = {
    "cola": ("CoLA", std((False, 3, None, 1, None), (True, 1, None, None, 0)), ["0", "1"]),
    "sst-2": ("SST-2", std((True, 0, None, 1, None), (True, 1, None, None, 0)), ["0", "1"]),
    "mrpc": ("MRPC", std((True, 3, 4, 0, None), (True, 3, 4, None, 0)), ["0", "1"]),
    "sts-b": ("STS-B", std((True, 7, 8, -1, 0), (True, 7, 8, None, 0)), None),
    "qqp": ("QQP", {"train": (True, 3, 4, 5, 0), "dev": (True, 3, 4, 5, 0), "test": (True, 1, 2, None, 0)},
            ["0", "1"]),
    "mnli": ("MNLI", std((True, 8, 9, -1, 0), (True, 8, 9, None, 0)), ["contradiction", "entailment", "neutral"]),
    "mnli-mm": ("MNLI", std((True, 8, 9, -1, 0), (True, 8, 9, None, 0)),
                ["contradiction", "entailment", "neutral"]),
    "qnli": ("QNLI", std((True, 1, 2, -1, 0), (True, 1, 2, None, 0)), ["entailment", "not_entailment"]),
    "rte": ("RTE", std((True, 1, 2, -1, 0), (True, 1, 2, None, 0)), ["entailment", "not_entailment"]),
    "wnli": ("WNLI", std((True, 1, 2, -1, 0), (True, 1, 2, None, 0)), ["0", "1"]),
    "ax": ("diagnostic", {"dev": (True, 5, 6, 7, None), "test": (True, 1, 2, None, 0)},
           ["contradiction", "entailment", "neutral"]),
}
FILES = {  # (task, split) -> file under HERE
    ("mnli", "dev"): "MNLI/dev_matched.tsv", ("mnli", "test"): "MNLI/test_matched.tsv",
    ("mnli-mm", "dev"): "MNLI/dev_mismatched.tsv", ("mnli-mm", "test"): "MNLI/test_mismatched.tsv",
    ("ax", "dev"): "diagnostic/diagnostic-full.tsv", ("ax", "test"): "diagnostic/AX.tsv",
}
PREFIX = {"train": "train", "dev": "dev", "test": "test", "train_aug": "aug"}
MIN_COLS = {"qqp": {"train": 6, "dev": 6}}


def read(task, split, rel):
    d, layouts, labels = TASKS[task]
    header, ta, tb, lab, idx = layouts["train" if split == "train_aug" else split]
    out, skipped, ordinal = [], 0, 0
    with open(os.path.join(HERE, rel), encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quotechar=None)
        for row in reader:
            line = reader.line_num
            if header and line == 1:
                continue
            o = ordinal
            ordinal += 1
            try:
                need = max(x for x in (ta, tb, idx, lab) if x is not None and x >= 0)
                if lab == -1:
                    need += 1
                if len(row) <= need:
                    raise IndexError
            except IndexError:
                if task == "qqp":  # TinyBERT's QQP processor skips such rows
                    skipped += 1
                    continue
                raise
            label = None if lab is None else row[lab]
            index = str(o) if idx is None else row[idx]
            out.append({"guid": "%s-%s" % (PREFIX[split], index), "index": index, "textA": row[ta],
                        "textB": None if tb is None else row[tb], "label": label, "line": line})
    return {"task": task, "split": split.upper(), "file": rel, "skipped": skipped, "examples": out}


def examples():
    cases = []
    for task, (d, layouts, _) in TASKS.items():
        for split in ("train", "dev", "test"):
            if split not in layouts or (task == "mnli-mm" and split == "train"):
                continue
            rel = FILES.get((task, split), "%s/%s" % (d, LAB[split]))
            cases.append(read(task, split, rel))
    cases.append(read("cola", "train_aug", "CoLA/train_aug.tsv"))
    crlf = read("rte", "dev", "variants/RTE-dev-crlf.tsv")
    cases.append(crlf)
    return cases


def compute(task, preds, labels):
    acc = lambda: float(sum(p == l for p, l in zip(preds, labels)) / len(labels))
    if task in ("cola", "ax"):
        return {"mcc": float(matthews_corrcoef(labels, preds))}
    if task in ("mrpc", "qqp"):
        a, f = acc(), float(f1_score(labels, preds))
        return {"acc": a, "f1": f, "acc_and_f1": (a + f) / 2}
    if task == "sts-b":
        p, s = float(pearsonr(preds, labels)[0]), float(spearmanr(preds, labels)[0])
        return {"pearson": p, "spearmanr": s, "corr": (p + s) / 2}
    return {"acc": acc()}


SCORER = [  # task, predictions, gold, label order of ids (None: TinyBERT's)
    ("mnli", "mnli_plain.txt", "MNLI/dev_matched.tsv", None),
    ("mnli", "mnli_server.tsv", "MNLI/dev_matched.tsv", None),
    ("mnli", "mnli_ids_other_order.txt", "MNLI/dev_matched.tsv", ["entailment", "neutral", "contradiction"]),
    ("mnli-mm", "mnli_mm_server.tsv", "MNLI/dev_mismatched.tsv", None),
    ("sts-b", "stsb_plain.txt", "STS-B/dev.tsv", None),
    ("sts-b", "stsb_server.tsv", "STS-B/dev.tsv", None),
    ("mrpc", "mrpc_server.tsv", "MRPC/dev.tsv", None),
    ("mrpc", "mrpc_plain.txt", "MRPC/dev.tsv", None),
    ("cola", "cola_plain.txt", "CoLA/dev.tsv", None),
    ("qqp", "qqp_server.tsv", "QQP/dev.tsv", None),
    ("sst-2", "sst2_plain.txt", "SST-2/dev.tsv", None),
    ("ax", "ax_plain.txt", "diagnostic/diagnostic-full.tsv", None),
    ("qnli", "qnli_plain_crlf.txt", "QNLI/dev.tsv", None),
    ("rte", "rte_server.tsv", "RTE/dev.tsv", None),
    ("wnli", "wnli_plain.txt", "WNLI/dev.tsv", None),
]


def scorer():
    out = []
    for task, pred_file, gold_file, order in SCORER:
        gold = read(task, "dev", gold_file)["examples"]
        with open(os.path.join(HERE, "scorer", pred_file), encoding="utf-8") as f:
            lines = f.read().splitlines()
        if lines[0] == "index\tprediction":
            by_index = dict(l.split("\t") for l in lines[1:])
            values = [by_index[e["index"]] for e in gold]
        else:
            values = lines
        labels = TASKS[task][2]
        if labels is None:
            preds, golds = [float(v) for v in values], [float(e["label"]) for e in gold]
        else:
            names = [order[int(v)] if order and v.isdigit() else v for v in values]
            preds, golds = [labels.index(n) for n in names], [labels.index(e["label"]) for e in gold]
        out.append({"task": task, "predictions": pred_file, "gold": gold_file, "labelOrder": order,
                    "expected": compute(task, preds, golds)})
    return out


if __name__ == "__main__":
    with open(os.path.join(HERE, "expected_examples.json"), "w") as f:
        json.dump({"cases": examples()}, f, indent=1, ensure_ascii=False)
    with open(os.path.join(HERE, "scorer", "expected.json"), "w") as f:
        json.dump({"cases": scorer()}, f, indent=1)
