#!/usr/bin/env python3
"""Cuts a Hugging Face BERT directory to some of its encoder layers, as `student = "teacher-layers:..."` does.

    python3 deploy/bench/cut-layers.py /tmp/minilm-hf 2,4,6 /tmp/minilm-l246

Keeps the embeddings, the listed encoder layers (1-based, increasing; student layer i is the i-th listed layer) and
whatever else model.safetensors holds outside the encoder (pooler, classifier), bit for bit; config.json gets
num_hidden_layers = the number of listed layers; the tokenizer files are copied. Python 3 standard library only
(safetensors is an 8-byte header length, a JSON header of dtype/shape/offsets, then the raw bytes).
"""

import json
import os
import re
import shutil
import struct
import sys

LAYER = re.compile(r"^((?:bert\.)?encoder\.layer\.)(\d+)(\..*)$")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, layers, dst = sys.argv[1], [int(x) for x in sys.argv[2].split(",")], sys.argv[3]
    if any(b <= a for a, b in zip(layers, layers[1:])) or layers[0] < 1:
        sys.exit("layers must be 1-based and increasing: " + sys.argv[2])
    keep = {teacher - 1: i for i, teacher in enumerate(layers)}
    with open(os.path.join(src, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out, blobs, offset = {}, [], 0
    for name, info in sorted(header.items()):
        if name == "__metadata__":
            out[name] = info
            continue
        m = LAYER.match(name)
        if m:
            if int(m.group(2)) not in keep:
                continue
            name = m.group(1) + str(keep[int(m.group(2))]) + m.group(3)
        begin, end = info["data_offsets"]
        blobs.append(data[begin:end])
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    os.makedirs(dst, exist_ok=True)
    head = json.dumps(out, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(os.path.join(dst, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    if max(layers) > config["num_hidden_layers"]:
        sys.exit(f"layer {max(layers)} is beyond the model's {config['num_hidden_layers']}")
    config["num_hidden_layers"] = len(layers)
    with open(os.path.join(dst, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if os.path.exists(os.path.join(src, name)):
            shutil.copy(os.path.join(src, name), os.path.join(dst, name))
    print(f"{dst}: layers {layers} of {src}, {len(out) - ('__metadata__' in out)} tensors")


if __name__ == "__main__":
    main()
