#!/usr/bin/env python3
"""Writes a BERT of given sizes with random weights in Hugging Face layout, for measurements without a download.

    python3 deploy/bench/random-teacher.py OUT_DIR [--base-vocab FILE] [--layers 12] [--hidden 768] [--heads 12]
                                           [--intermediate 3072] [--vocab-size 30522] [--seed 1]

OUT_DIR gets config.json, vocab.txt and model.safetensors (float32, N(0, 0.02) weights, LayerNorm 1 and 0, the names
of BertModel's state dict under "bert."): BERT-base's sizes by default, 438 MB. vocab.txt is --base-vocab's tokens
(default: the bundled sample teacher's, so the sample corpus tokenizes into real pieces) padded with [unusedN] tokens
to --vocab-size. The values are random: good for timing and memory, not for learning anything. Needs numpy only.
"""
import argparse
import json
import os
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tensors(a, rng):
    h, i, v = a.hidden, a.intermediate, a.vocab_size

    def normal(*shape):
        return rng.normal(0.0, 0.02, size=shape).astype(np.float32)

    out = {
        "bert.embeddings.word_embeddings.weight": normal(v, h),
        "bert.embeddings.position_embeddings.weight": normal(512, h),
        "bert.embeddings.token_type_embeddings.weight": normal(2, h),
        "bert.embeddings.LayerNorm.weight": np.ones(h, np.float32),
        "bert.embeddings.LayerNorm.bias": np.zeros(h, np.float32),
        "bert.pooler.dense.weight": normal(h, h),
        "bert.pooler.dense.bias": np.zeros(h, np.float32),
    }
    for l in range(a.layers):
        p = f"bert.encoder.layer.{l}."
        for name, rows, cols in (("attention.self.query", h, h), ("attention.self.key", h, h),
                                 ("attention.self.value", h, h), ("attention.output.dense", h, h),
                                 ("intermediate.dense", i, h), ("output.dense", h, i)):
            out[p + name + ".weight"] = normal(rows, cols)
            out[p + name + ".bias"] = np.zeros(rows, np.float32)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            out[p + norm + ".weight"] = np.ones(h, np.float32)
            out[p + norm + ".bias"] = np.zeros(h, np.float32)
    return out


def write_safetensors(path, named):
    header, offset = {}, 0
    for name in sorted(named):
        t = named[name]
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + t.nbytes]}
        offset += t.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name in sorted(named):
            f.write(np.ascontiguousarray(named[name]).tobytes())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--base-vocab", default=os.path.join(ROOT, "deploy/sample/teacher/vocab.txt"))
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--intermediate", type=int, default=3072)
    ap.add_argument("--vocab-size", type=int, default=30522)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.hidden % a.heads:
        ap.error(f"--hidden {a.hidden} is not a multiple of --heads {a.heads}")
    with open(a.base_vocab, encoding="utf-8") as f:
        vocab = [t.rstrip("\n") for t in f]
    if len(vocab) > a.vocab_size:
        ap.error(f"{a.base_vocab} has {len(vocab)} tokens, more than --vocab-size {a.vocab_size}")
    vocab += [f"[unused{n}]" for n in range(a.vocab_size - len(vocab))]
    os.makedirs(a.out, exist_ok=True)
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": a.vocab_size,
              "hidden_size": a.hidden, "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
              "intermediate_size": a.intermediate, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
              "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
              "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(a.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    write_safetensors(os.path.join(a.out, "model.safetensors"), tensors(a, np.random.default_rng(a.seed)))
    print(a.out)


if __name__ == "__main__":
    main()
