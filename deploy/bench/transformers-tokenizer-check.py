#!/usr/bin/env python3
"""Checks the project's tokenizer files against real transformers (5.x), both ways. Not part of the tests.

usage: PYTHON deploy/bench/transformers-tokenizer-check.py [--vocab-from DIR] SAVED_DIR WORK_DIR

PYTHON is a Python with transformers 5 and torch (see docs/benchmarks.md). SAVED_DIR is a model directory the project
saved (e.g. runs/quickstart/student after the quick start); the launcher deploy/bin/tinybert must be built.

1. transformers reads what the project saves: for SAVED_DIR, AutoTokenizer (the fast tokenizer, from tokenizer.json)
   and BertTokenizerLegacy (the slow one, from vocab.txt and tokenizer_config.json) give the same input ids, segment
   ids and mask as the project's own tokenizer (`tinybert forward` on the same text, which writes them).
2. The project reads what transformers 5 saves: SAVED_DIR's vocabulary (or DIR's, any directory transformers reads a
   BERT tokenizer from, e.g. a real model's), cased and uncased, saved by transformers 5's
   BertTokenizer.save_pretrained (tokenizer.json and tokenizer_config.json, no vocab.txt) beside a small random
   BertModel; `tinybert forward` on that directory gives transformers' ids, and its last hidden state matches
   BertModel's.
Prints one line per check and exits 1 if any differs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
from safetensors.numpy import load_file
from transformers import AutoTokenizer, BertConfig, BertModel, BertTokenizer, BertTokenizerLegacy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINYBERT = os.path.join(ROOT, "deploy", "bin", "tinybert")
MAX_SEQ = 48

# Text the two tokenizers could treat differently: case and accents, CJK, punctuation and symbols, control and
# odd white space (no tab: the input is TSV, where a tab separates a pair), a word past BERT's 100-character rule, BERT's special tokens standing alone, and pairs.
EXAMPLES = [
    ("The quick brown fox jumps over the lazy dog.", None),
    ("Héllo, WÖRLD! Ça va? naïve café Straße", None),
    ("中文字符 and 日本語のテキスト, 한국어", None),
    ("e-mail: someone@example.com; price $12.50 (20% off) #tag ^caret~", None),
    ("form\x0cfeed\u00a0non-breaking\u2003spaces\x00 and \ufffd replacement", None),
    ("a" * 120 + " short", None),
    ("the [MASK] is here [SEP] too", None),
    ("Is this the first sentence?", "And THIS the second one."),
    ("ﬁ ligature and Ⅻ numeral and ﹏ wavy", "emoji 😀 and math ∑ ≤ ∞"),
]


def project_inputs(model_dir, work, name):
    """input_ids, segment_ids and input_mask as `tinybert forward` tokenizes EXAMPLES for model_dir."""
    tsv = os.path.join(work, name + ".tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        for a, b in EXAMPLES:
            f.write(a if b is None else a + "\t" + b)
            f.write("\n")
    out = os.path.join(work, name + ".safetensors")
    subprocess.run([TINYBERT, "forward", "--model", model_dir, "--input", tsv, "--output", out,
                    "--max-seq-length", str(MAX_SEQ)], check=True, stdout=subprocess.DEVNULL)
    t = load_file(out)
    return {k: t[k].astype(np.int64) for k in ("input_ids", "segment_ids", "input_mask")}, t


def hf_inputs(tokenizer):
    ids, segs, mask = [], [], []
    for a, b in EXAMPLES:
        e = tokenizer(a, b, max_length=MAX_SEQ, padding="max_length", truncation="longest_first",
                      return_token_type_ids=True, return_attention_mask=True)
        ids.append(e["input_ids"])
        segs.append(e["token_type_ids"])
        mask.append(e["attention_mask"])
    return {"input_ids": np.array(ids), "segment_ids": np.array(segs), "input_mask": np.array(mask)}


def compare(what, ours, theirs):
    bad = [k for k in ours if not np.array_equal(ours[k], theirs[k])]
    rows = [i for i in range(len(EXAMPLES)) if any(not np.array_equal(ours[k][i], theirs[k][i]) for k in ours)]
    print(("same" if not bad else "DIFFERENT") + ": " + what
          + ("" if not bad else " (" + ", ".join(bad) + " differ in examples " + str(rows) + ")"))
    for i in rows:
        print("  example", i, repr(EXAMPLES[i])[:80])
        print("    ours  ", ours["input_ids"][i].tolist())
        print("    theirs", theirs["input_ids"][i].tolist())
    return not bad


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("saved")
    p.add_argument("work")
    p.add_argument("--vocab-from", help="the vocabulary of check 2 (default SAVED_DIR's)")
    a = p.parse_args()
    saved, work = os.path.abspath(a.saved), os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    ok = True

    # 1. transformers reads what the project saved.
    lower = json.load(open(os.path.join(saved, "tokenizer_config.json")))["do_lower_case"]
    ours, _ = project_inputs(saved, work, "saved")
    fast = AutoTokenizer.from_pretrained(saved)
    slow = BertTokenizerLegacy.from_pretrained(saved)
    ok &= compare(f"project-saved {saved} (do_lower_case {lower}): fast {type(fast).__name__} from tokenizer.json",
                  ours, hf_inputs(fast))
    ok &= compare(f"project-saved {saved}: slow {type(slow).__name__} from vocab.txt", ours, hf_inputs(slow))

    # 2. The project reads what transformers 5 saves.
    vocab = AutoTokenizer.from_pretrained(a.vocab_from or saved).get_vocab()
    for lower in (True, False):
        d = os.path.join(work, "transformers5-" + ("uncased" if lower else "cased"))
        shutil.rmtree(d, ignore_errors=True)
        tok = BertTokenizer(vocab=dict(vocab), do_lower_case=lower)
        tok.save_pretrained(d)
        torch.manual_seed(0)
        cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=64, max_position_embeddings=64)
        model = BertModel(cfg, add_pooling_layer=False).eval()
        model.save_pretrained(d)
        files = sorted(os.listdir(d))
        assert "vocab.txt" not in files and "tokenizer.json" in files, files
        ours, outputs = project_inputs(d, work, os.path.basename(d))
        ok &= compare(f"transformers {__import__('transformers').__version__} save_pretrained {d} {files}: project "
                      "against " + type(AutoTokenizer.from_pretrained(d)).__name__, ours, hf_inputs(
                          AutoTokenizer.from_pretrained(d)))
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor(ours["input_ids"]), token_type_ids=torch.tensor(ours["segment_ids"]),
                           attention_mask=torch.tensor(ours["input_mask"])).last_hidden_state.numpy()
        last = outputs["hidden_states." + str(cfg.num_hidden_layers)]
        m = ours["input_mask"].astype(bool)
        diff = float(np.abs(hidden[m] - last[m]).max())
        print(("same" if diff < 1e-4 else "DIFFERENT") + f": last hidden state of {d}, max |difference| {diff:.2e}"
              " over real tokens")
        ok &= diff < 1e-4
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
