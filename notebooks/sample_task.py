#!/usr/bin/python3
"""Writes a tiny SST-2-format task and a tiny GloVe text file for the end-to-end run of notebooks/run-all.sh.

    /usr/bin/python3 notebooks/sample_task.py OUT_DIR

OUT_DIR/SST-2/train.tsv and dev.tsv (header "sentence<TAB>label"): a sentiment keyword opens each sentence and decides
its label (1 positive, 0 negative), so the bundled tiny teacher (deploy/sample/teacher) can learn it in a few steps;
the other words are neutral. Most words are single WordPieces of the tiny teacher's vocabulary (the augmentation's
masked LM proposes replacements for those); the "scene" words are not in that vocabulary, so they split into several
pieces and the augmentation asks GloVe instead.

OUT_DIR/glove.txt: GloVe's text format (a word, then its numbers), 16 dimensions: the scene words and their
neighbours in groups around a shared random centre, so each word's nearest neighbours are the words of its group.

Made-up data, deterministic (Python's seeded random), so the run and its notebooks are the same every time.
"""
import os
import random
import sys

# Single pieces of deploy/sample/teacher/vocab.txt.
POSITIVE = ["good", "great", "wonderful", "happy", "best", "funny"]
NEGATIVE = ["bad", "terrible", "awful", "boring", "worst", "sad"]
NEUTRAL = ["the", "cat", "dog", "house", "tree", "river", "car", "book", "city", "music", "moon", "sky", "road",
           "bird", "song", "game", "story", "actor", "scene", "student", "teacher", "night", "day", "lake"]
# Not in that vocabulary but made of its pieces (several each; a word with a piece the vocabulary lacks would be one
# [UNK] piece): GloVe proposes their replacements, its 4 nearest words being the rest of the group.
GLOVE_GROUPS = [
    ["movie", "picture", "feature", "documentary", "novel"],
    ["ocean", "harbour", "coast", "beach", "valley"],
    ["winter", "season", "weather", "sunset", "breeze"],
    ["castle", "village", "palace", "tower", "cottage"],
    ["journey", "voyage", "trip", "expedition", "park"],
    ["guitar", "piano", "violin", "flute", "singer"],
    ["planet", "star", "galaxy", "sun", "rainbow"],
]
SCENE = [g[0] for g in GLOVE_GROUPS] + [g[1] for g in GLOVE_GROUPS]
DIM = 16


def sentence(rnd):
    positive = rnd.random() < 0.5
    words = [rnd.choice(POSITIVE if positive else NEGATIVE)]
    for _ in range(3 + rnd.randrange(4)):
        words.append(rnd.choice(SCENE) if rnd.random() < 0.3 else rnd.choice(NEUTRAL))
    return " ".join(words), 1 if positive else 0


def write_split(path, n, rnd):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("sentence\tlabel\n")
        for _ in range(n):
            text, label = sentence(rnd)
            f.write(f"{text}\t{label}\n")


def write_glove(path, rnd):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for group in GLOVE_GROUPS:
            centre = [rnd.gauss(0, 1) for _ in range(DIM)]
            for word in group:
                vec = [c + rnd.gauss(0, 0.3) for c in centre]
                f.write(word + " " + " ".join(f"{v:.6f}" for v in vec) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: sample_task.py OUT_DIR")
    out = sys.argv[1]
    task = os.path.join(out, "SST-2")
    os.makedirs(task, exist_ok=True)
    rnd = random.Random(8)
    write_split(os.path.join(task, "train.tsv"), 96, rnd)
    write_split(os.path.join(task, "dev.tsv"), 48, rnd)
    write_glove(os.path.join(out, "glove.txt"), rnd)


if __name__ == "__main__":
    main()
