"""Regenerates the torch-made fixtures of this folder (see README.md).

Run from this folder with Debian's torch:  /usr/bin/python3 make_fixtures.py
"""
import collections
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN_STUDENT = os.path.join(HERE, "..", "..", "golden", "student", "model.safetensors")


def read_f32_safetensors(path):
    """Just enough of a safetensors reader for the golden F32 files."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32"
        b, e = info["data_offsets"]
        values = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32)
        out[name] = values.reshape(info["shape"]).clone()
    return out


def write_f32_safetensors(tensors, path):
    """Sorted names, F32, header padded with spaces to a multiple of 8 (the format's rules)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        blob = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def small_state_dict():
    """Every tensor layout a state dict can hold: dtypes, views, offsets, shared storages, a scalar, a buffer."""
    torch.manual_seed(20240601)
    sd = collections.OrderedDict()
    w = torch.randn(3, 4)
    sd["dense.weight"] = w
    sd["dense.weight_t"] = w.t()              # non-contiguous view of the same storage
    sd["dense.row"] = w[1]                    # storage offset 4
    sd["dense.col"] = w[:, 2]                 # storage offset 2, stride 4
    sd["tied.weight"] = w                     # the same tensor twice, as tied weights are
    sd["half"] = torch.randn(2, 3).half()
    sd["bfloat"] = torch.randn(5).bfloat16()
    sd["double"] = torch.randn(2, 2, 2).double()
    sd["scalar"] = torch.tensor(3.25)
    sd["param"] = torch.nn.Parameter(torch.randn(2))   # pickled through torch._utils._rebuild_parameter
    sd["bert.embeddings.position_ids"] = torch.arange(5).expand((1, -1))  # int64 buffer, stride 0
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


def expected_json(sd):
    out = collections.OrderedDict()
    for name, t in sd.items():
        if t.dtype == torch.int64:
            continue
        f = t.detach().to(torch.float32)
        out[name] = {"shape": list(f.shape), "values": [float(v) for v in f.reshape(-1).tolist()]}
    return out


class Evil:
    """What a malicious checkpoint pickles: a call to builtins.eval when unpickled."""

    def __reduce__(self):
        return eval, ("print('pwned')",)


def main():
    sd = small_state_dict()
    torch.save(sd, os.path.join(HERE, "small_zip.bin"))
    torch.save(sd, os.path.join(HERE, "small_zip_protocol4.bin"), pickle_protocol=4)
    torch.save(sd, os.path.join(HERE, "small_legacy.bin"), _use_new_zipfile_serialization=False)
    with open(os.path.join(HERE, "small_expected.json"), "w") as f:
        json.dump(expected_json(sd), f, indent=1)

    # A hand-written pickle calling os.system('true'), and torch.save of an object that calls builtins.eval.
    with open(os.path.join(HERE, "malicious_os_system.pkl"), "wb") as f:
        f.write(b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00true\x85R.")
    torch.save({"w": Evil()}, os.path.join(HERE, "malicious_eval_zip.bin"))

    # The golden student as a general TinyBERT release of 2019 stored it: legacy torch.save format, one fit_denses
    # projection per representation, pre-training heads with the decoder tied to the word embeddings, and a
    # config.json without model_type, fit_size or num_labels.
    student = read_f32_safetensors(GOLDEN_STUDENT)
    torch.manual_seed(7)
    hidden, teacher_hidden, vocab = 24, 48, 512
    general = collections.OrderedDict((k, v) for k, v in student.items() if k.startswith("bert."))
    heads = collections.OrderedDict()
    heads["cls.predictions.bias"] = torch.randn(vocab) * 0.1
    heads["cls.predictions.transform.dense.weight"] = torch.randn(hidden, hidden) * 0.1
    heads["cls.predictions.transform.dense.bias"] = torch.randn(hidden) * 0.1
    heads["cls.predictions.transform.LayerNorm.weight"] = 1 + torch.randn(hidden) * 0.1
    heads["cls.predictions.transform.LayerNorm.bias"] = torch.randn(hidden) * 0.1
    for i in range(3):
        heads["fit_denses.%d.weight" % i] = torch.randn(teacher_hidden, hidden) * 0.1
        heads["fit_denses.%d.bias" % i] = torch.randn(teacher_hidden) * 0.1
    general.update(heads)
    general["cls.predictions.decoder.weight"] = general["bert.embeddings.word_embeddings.weight"]
    general["cls.seq_relationship.weight"] = torch.randn(2, hidden)
    general["cls.seq_relationship.bias"] = torch.randn(2)
    out_dir = os.path.join(HERE, "tinybert_general_legacy")
    os.makedirs(out_dir, exist_ok=True)
    torch.save(general, os.path.join(out_dir, "pytorch_model.bin"), _use_new_zipfile_serialization=False)
    config = {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
              "hidden_size": hidden, "initializer_range": 0.02, "intermediate_size": 48,
              "max_position_embeddings": 64, "num_attention_heads": 4, "num_hidden_layers": 2,
              "type_vocab_size": 2, "vocab_size": vocab}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    write_f32_safetensors(heads, os.path.join(HERE, "tinybert_general_heads.safetensors"))


if __name__ == "__main__":
    main()
