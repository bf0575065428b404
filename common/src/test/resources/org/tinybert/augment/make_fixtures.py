"""Writes the augmentation test fixtures here: small GloVe files, training sets, and the expected values.

An independent oracle for the Java code: candidate selection follows TinyBERT's data_augmentation.py as its text
reads (alphabetic after lower-casing, not a stop word; a word's pieces counted from the pieces without "##"), the
masked-LM proposals come from the PyTorch reference BERT (ref.py) on the golden teacher, and the GloVe neighbours from
numpy in float64 the way prepare_embedding_retrieval and _word_distance compute them.

Run: /usr/bin/python3 make_fixtures.py /work/shared/reference   (needs torch and numpy)
"""
import gzip
import json
import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference")
import ref  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402

GOLDEN = os.path.join(HERE, "..", "golden")
TOK = Tokenizer(os.path.join(GOLDEN, "vocab.txt"), do_lower_case=True)

STOP = set("""i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he
him his himself she she's her hers herself it it's its itself they them their theirs themselves this that that'll
these those am is are was were be been being have has had having do does did doing a an the and but if or because as
until while of at by for with about against between into through during before after above below to from up down in
out on off over under again further then once here there all any both each few more most other some such no nor not
only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain aren aren't
couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn
mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't 's 're""".split())

SST2_ROWS = [
    ("a warm , funny and quietly moving film ", "1"),
    ("the plot drags on without a single surprise ", "0"),
    ("a wonderful story about a young horse ", "1"),
    ("boring , slow and terrible acting ", "0"),
    ("the best film of the year ", "1"),
    ("kids played ; dogs slept ", "1"),
    ("it 's \" smart \" the way a brick is smart ", "0"),
    ("an awful , sad movie about nothing ", "0"),
]
MRPC_ROWS = [
    ("1", "702876", "702977", "The company said profits rose sharply in the quarter.",
     "Profits rose in the quarter, the company said."),
    ("0", "2108705", "2108831", "Shares fell on Monday.", "The weather was unusually warm for March."),
    ("1", "1330381", "1330521", "The young student wrote a wonderful song.", "A student wrote a great song."),
]
SENTENCES = [
    "The quick brown fox jumped over the lazy dog.",
    "Kids played; dogs slept.",
    "A wonderful film with a boring plot and terrible acting.",
    "Berlin is a large city in Germany.",
    "The company's stock price fell sharply after the news.",
    "Unbelievably, the tiny model won!",
    # 2n+3 > 64 (the teacher's max_position_embeddings): the input is cut
    "the teacher said the student thought the old man knew the young woman wrote a great song about the sea and "
    "the sky",
    # more than 63 pieces: the last words' masks fall past the input and get no proposals
    " ".join(["the cat sat on the mat"] * 12),
]


def candidates(text):
    tokens = TOK.basic(text)
    pieces = TOK.tokenize(text)
    spans = []
    for i, p in enumerate(pieces):
        if "##" not in p:
            spans.append([i, 1])
        else:
            spans[-1][1] += 1
    out = []
    for t, w in enumerate(tokens):
        if re.search("[^a-z]", w.lower()) or w.lower() in STOP:
            continue
        first, count = spans[t]
        out.append({"token": t, "word": w, "piece": first, "source": "mlm" if count == 1 else "glove"})
    return tokens, pieces, out


def write_tsvs():
    with open(os.path.join(HERE, "sst2_train.tsv"), "w", encoding="utf-8", newline="") as f:
        f.write("sentence\tlabel\n")
        for s, l in SST2_ROWS:
            f.write(s + "\t" + l + "\n")
    with open(os.path.join(HERE, "mrpc_train.tsv"), "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n")  # BOM and CRLF, as MSR's file has
        for r in MRPC_ROWS:
            f.write("\t".join(r) + "\r\n")
    # a row without its label column (line 3), and one with a Latin-1 byte (line 4)
    with open(os.path.join(HERE, "sst2_missing_column.tsv"), "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n" + SST2_ROWS[0][0] + "\t1\n" + SST2_ROWS[1][0] + "\n" + SST2_ROWS[2][0] + "\t1\n")
    with open(os.path.join(HERE, "sst2_latin1.tsv"), "wb") as f:
        f.write(("sentence\tlabel\n" + SST2_ROWS[0][0] + "\t1\n" + SST2_ROWS[1][0] + "\t0\n").encode("utf-8"))
        f.write(b"a caf\xe9 movie\t1\n")


def glove_words():
    texts = [s for s, _ in SST2_ROWS] + [t for r in MRPC_ROWS for t in r[3:]] + SENTENCES
    multi = []
    for t in texts:
        for c in candidates(t)[2]:
            if c["source"] == "glove" and c["word"] not in multi:
                multi.append(c["word"])
    fillers = ["film", "movie", "story", "dog", "cat", "happy", "market", "prices", "kitten", "puppy", "cheerful",
               "gloomy", "shares", "stocks", "quickly", "slowly"]
    words = fillers[:6] + multi + [w for w in fillers[6:] if w not in multi]
    # GloVe's own unknown entry (its vector is ignored) and a repeated word (its later vector wins)
    words.insert(3, "<unk>")
    words.append("happy")
    return words


def write_glove():
    words = glove_words()
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(len(words), 8))
    lines = [w + " " + " ".join("%.6f" % x for x in v) for w, v in zip(words, vecs)]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "glove.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    with gzip.open(os.path.join(HERE, "glove.txt.gz"), "wb") as f:
        f.write(text.encode("utf-8"))
    bad = list(lines)
    bad[3] = bad[3].rsplit(" ", 1)[0]  # line 4: 7 numbers
    with open(os.path.join(HERE, "glove_bad_dim.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(bad) + "\n")
    with open(os.path.join(HERE, "glove_bad_utf8.txt"), "wb") as f:
        data = [l.encode("utf-8") for l in lines]
        data[2] = b"caf\xe9" + data[2][data[2].index(b" "):]  # line 3: a Latin-1 byte
        f.write(b"\n".join(data) + b"\n")
    with open(os.path.join(HERE, "glove_word2vec.txt"), "w", encoding="utf-8") as f:
        f.write("%d 8\n" % len(lines) + text)
    return words


def neighbours(words, limit, k):
    """prepare_embedding_retrieval + _word_distance, in float64."""
    with open(os.path.join(HERE, "glove.txt"), encoding="utf-8") as f:
        rows = [l.strip().split() for l in f][:limit]
    ws = [r[0] for r in rows]
    emb = {r[0]: [float(x) for x in r[1:]] for r in rows}
    vocab = {w: i for i, w in enumerate(ws)}
    m = np.zeros((limit, 8))
    for w, v in emb.items():
        if w == "<unk>":
            continue
        m[vocab[w]] = v
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = (m.T / np.sum(m ** 2, 1) ** 0.5).T
    out = {}
    for w in words:
        if w not in vocab:
            out[w] = []
            continue
        d = norm @ norm[vocab[w]]
        d[vocab[w]] = -np.inf
        out[w] = [ws[i] for i in np.argsort(-d)[:k]]
    return out


def write_expected(words):
    queries = sorted(set(w for w in words if re.fullmatch("[a-z]+", w))) + ["zebra"]
    sel = []
    for s in SENTENCES:
        tokens, pieces, cands = candidates(s)
        sel.append({"text": s, "tokens": tokens, "pieces": pieces, "candidates": cands})
    glove = {"k": 5, "neighbours": neighbours(queries, len(words), 5),
             "limit": 12, "neighbours_within_limit": neighbours(queries, 12, 5)}

    cfg, P = ref.load_checkpoint(os.path.join(GOLDEN, "teacher"))
    max_len = cfg.max_position_embeddings
    mlm = []
    for s in SENTENCES:
        tokens, pieces, cands = candidates(s)
        for c in cands:
            if c["source"] != "mlm":
                continue
            mask = c["piece"] + 1
            entry = {"text": s, "token": c["token"], "word": c["word"], "piece": c["piece"]}
            if mask >= max_len:
                entry.update(input_ids=None, segment_ids=None, proposals=[])
                mlm.append(entry)
                continue
            masked = ["[CLS]"] + pieces
            masked[mask] = "[MASK]"
            full = masked + ["[SEP]"] + pieces + ["[SEP]"]
            seg0 = len(masked) + 1
            full = full[:max_len]
            seg = [0] * min(seg0, len(full)) + [1] * max(0, len(full) - seg0)
            ids = TOK.ids(full)
            with torch.no_grad():
                out = ref.bert_forward(P, cfg, torch.tensor([ids]), torch.tensor([seg]))
                logits = ref.mlm_logits(P, cfg, out["sequence_output"])[0, mask]
            top = torch.argsort(logits, descending=True)[:15].tolist()
            words15 = [TOK.inv[i] for i in top]
            entry.update(input_ids=ids, segment_ids=seg, proposals=[w for w in words15 if not w.startswith("##")])
            mlm.append(entry)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"selection": sel, "glove": glove, "mlm": {"k": 15, "max_length": max_len, "cases": mlm}}, f,
                  indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    write_tsvs()
    write_expected(write_glove())
