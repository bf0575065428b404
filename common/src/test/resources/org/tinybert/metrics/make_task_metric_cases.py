"""Writes task_metric_cases.json: predictions and gold labels of a few task-file tasks with the metrics
scikit-learn and SciPy give for them (run with python3 with scikit-learn and scipy installed)."""
import json
import random

import scipy
import sklearn
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

rnd = random.Random(20)


def classification(name, labels, positive, n, accuracy):
    gold = [rnd.choice(labels) for _ in range(n)]
    pred = [g if rnd.random() < accuracy else rnd.choice(labels) for g in gold]
    metrics = {
        "accuracy": accuracy_score(gold, pred),
        "macro-f1": f1_score(gold, pred, average="macro"),
        "micro-f1": f1_score(gold, pred, average="micro"),
        "mcc": matthews_corrcoef(gold, pred),
    }
    if positive is not None:
        metrics["f1"] = f1_score(gold, pred, pos_label=positive, average="binary")
    return {"name": name, "kind": "classification", "labels": labels, "positive_label": positive,
            "predictions": pred, "gold": gold, "expected": metrics}


def regression(name, n):
    gold = [round(rnd.uniform(0, 5), 1) for _ in range(n)]  # rounded: ties, as in real scores
    pred = [round(g + rnd.gauss(0, 1), 3) for g in gold]
    return {"name": name, "kind": "regression", "predictions": pred, "gold": gold,
            "expected": {"pearson": float(pearsonr(pred, gold)[0]), "spearman": float(spearmanr(pred, gold)[0])}}


cases = [
    # The positive label is not the second one in sorted order: f1 must follow positive-label, not the id.
    classification("binary-string-labels", ["spam", "ham"], "spam", 57, 0.7),
    classification("binary-sorted", ["negative", "positive"], "positive", 40, 0.8),
    classification("three-intents", ["billing", "cancel", "other"], None, 61, 0.6),
    classification("five-classes-poor", ["a", "b", "c", "d", "e"], None, 33, 0.3),
    regression("scores", 45),
]
out = {"generated_by": "make_task_metric_cases.py", "scikit_learn": sklearn.__version__, "scipy": scipy.__version__,
       "cases": cases}
with open("task_metric_cases.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
