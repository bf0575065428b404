#!/usr/bin/python3
"""PyTorch timing of TinyBERT's augmentation done the straightforward way, on the workload of `tinybert bench augment`.

usage: /usr/bin/python3 bench/augment_reference.py WORKLOAD.json [REFERENCE_DIR]

WORKLOAD.json is written by `tinybert bench augment --workload FILE`: the masked LM's config, one (length, mask
position) per masked word, the number of GloVe queries and the GloVe size, and the Java numbers. This script does
what data_augmentation.py does per word, with the independent reference BERT of REFERENCE_DIR/ref.py (default
../shared/reference beside the repository) and random weights of the same sizes:
  - masked LM: one forward pass per word at that word's length, the MLM head on the masked row, top-K;
  - GloVe: per word, the dot product of its unit vector with the whole float64 matrix and an argsort (numpy).
It prints one JSON line with the sentence rate and, next to it, the Java numbers from the workload file.
"""
import os

from reference_env import DEFAULT_REFERENCE  # first: sets the thread environment

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402


def main():
    workload = json.load(open(sys.argv[1]))
    ref_dir = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_REFERENCE
    sys.path.insert(0, os.path.abspath(ref_dir))
    import ref
    ref.FAST = True  # fused GELU / LayerNorm: the fastest form of the same math

    cfg = ref.BertConfig(workload["config"])
    g = torch.Generator().manual_seed(1)
    shapes = {}
    H, I, V = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
    shapes["bert.embeddings.word_embeddings.weight"] = (V, H)
    shapes["bert.embeddings.position_embeddings.weight"] = (cfg.max_position_embeddings, H)
    shapes["bert.embeddings.token_type_embeddings.weight"] = (cfg.type_vocab_size, H)
    norms = ["bert.embeddings.LayerNorm", "cls.predictions.transform.LayerNorm"]
    linears = {"cls.predictions.transform.dense": (H, H)}
    for i in range(cfg.num_hidden_layers):
        p = "bert.encoder.layer.%d." % i
        for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            linears[p + m] = (H, H)
        linears[p + "intermediate.dense"] = (I, H)
        linears[p + "output.dense"] = (H, I)
        norms += [p + "attention.output.LayerNorm", p + "output.LayerNorm"]
    P = {k: torch.randn(*s, generator=g) * 0.02 for k, s in shapes.items()}
    for k, (o, i) in linears.items():
        P[k + ".weight"] = torch.randn(o, i, generator=g) * 0.02
        P[k + ".bias"] = torch.zeros(o)
    for k in norms:
        P[k + ".weight"] = torch.ones(H)
        P[k + ".bias"] = torch.zeros(H)
    P["cls.predictions.bias"] = torch.zeros(V)

    k = workload["top_k"]
    inputs = workload["mlm_inputs"]

    def mlm(length, mask):
        ids = torch.randint(999, V, (1, length), generator=g)
        seg = torch.zeros(1, length, dtype=torch.long)
        seg[0, (length + 1) // 2:] = 1
        with torch.no_grad():
            seq = ref.bert_forward(P, cfg, ids, seg)["sequence_output"]
            logits = ref.mlm_logits(P, cfg, seq[:, mask])
            return torch.argsort(logits[0], descending=True)[:k].tolist()

    rng = np.random.default_rng(1)
    emb = rng.standard_normal((workload["glove_words"], workload["glove_dim"]))
    emb = (emb.T / np.sum(emb ** 2, 1) ** 0.5).T

    def glove(row):
        d = np.dot(emb, emb[row].T)
        d[row] = -np.inf
        return np.argsort(-d)[:k]

    for length, mask in inputs[:2]:  # warm-up
        mlm(length, mask)
    glove(0)

    t0 = time.perf_counter()
    for length, mask in inputs:
        mlm(length, mask)
    t_mlm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for q in range(workload["glove_queries"]):
        glove(q % workload["glove_words"])
    t_glove = time.perf_counter() - t0

    java = workload.get("java", {})
    total = t_mlm + t_glove
    out = {
        "bench": "augment_reference",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "sentences": workload["sentences"],
        "mlm_words": len(inputs),
        "glove_words": workload["glove_queries"],
        "mlm_seconds": round(t_mlm, 3),
        "glove_seconds": round(t_glove, 3),
        "straightforward_sentences_per_s": round(workload["sentences"] / total, 3),
        "java_batched_sentences_per_s": java.get("batched_sentences_per_s"),
        "java_straightforward_sentences_per_s": java.get("straightforward_sentences_per_s"),
    }
    if java.get("batched_sentences_per_s"):
        out["java_batched_vs_torch_straightforward"] = round(
            java["batched_sentences_per_s"] / out["straightforward_sentences_per_s"], 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
