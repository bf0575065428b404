package org.tinybert.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.tinybert.augment.StopWords;
import org.tinybert.text.BertTokenizer;

/**
 * A GLUE task in SST-2's format whose label is the polarity of one keyword: each sentence is a keyword followed by a
 * few filler words, stop words and neutral content words; half the keywords are positive (label 1), half negative
 * (0). Keywords are made-up words of two WordPieces (a vocabulary word and a suffix piece, e.g. "film" + "##less"), so
 * TinyBERT's augmentation replaces them with GloVe neighbours, and {@link #writeGlove} writes vectors in which each
 * polarity's keywords are each other's nearest neighbours: the word-level semantics that augmentation and a teacher
 * that knows every keyword pass on to a student whose few labelled examples name only some. Content words are one
 * WordPiece, so the masked LM replaces them: variants differ in their context too, not only in the keyword (with the
 * context fixed, a student can learn each labelled sentence's context as its label instead of the keyword).
 */
final class SyntheticPolarity {
  private static final List<String> SUFFIXES = List.of("ful", "less", "ly", "ness", "ing", "er", "est", "ment", "ous");

  final List<String> positive;
  final List<String> negative;
  final List<String> stopWords;
  final List<String> content;
  private final List<String> others;

  private SyntheticPolarity(List<String> positive, List<String> negative, List<String> stopWords,
      List<String> content, List<String> others) {
    this.positive = List.copyOf(positive);
    this.negative = List.copyOf(negative);
    this.stopWords = List.copyOf(stopWords);
    this.content = List.copyOf(content);
    this.others = List.copyOf(others);
  }

  /**
   * {@code perPolarity} keywords of each polarity and {@code contentWords} content words over the tokenizer's
   * vocabulary, drawn with {@code seed}.
   */
  static SyntheticPolarity create(BertTokenizer tokenizer, int perPolarity, int contentWords, long seed) {
    List<String> stopWords = new ArrayList<>();
    List<String> roots = new ArrayList<>();
    for (String t : tokenizer.vocab().tokens()) {
      if (!t.matches("[a-z]{2,}")) continue;
      (StopWords.ENGLISH.contains(t) ? stopWords : roots).add(t);
    }
    Random rnd = new Random(seed);
    Collections.shuffle(roots, rnd);
    List<String> keywords = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String root : roots) {
      String w = root + SUFFIXES.get(rnd.nextInt(SUFFIXES.size()));
      // Exactly [root, ##suffix]: a longer vocabulary prefix would split the word elsewhere.
      if (keywords.size() < 2 * perPolarity && tokenizer.tokenize(w).equals(List.of(root, "##" + w.substring(
          root.length())))) {
        keywords.add(w);
      } else {
        others.add(root);
      }
    }
    if (keywords.size() < 2 * perPolarity) {
      throw new IllegalArgumentException("the vocabulary gives " + keywords.size() + " two-piece keywords, "
          + 2 * perPolarity + " wanted");
    }
    return new SyntheticPolarity(keywords.subList(0, perPolarity), keywords.subList(perPolarity, 2 * perPolarity),
        stopWords, others.subList(0, contentWords), others.subList(contentWords, others.size()));
  }

  /**
   * {@code n} rows "sentence\tlabel", labels drawn from {@code rnd}: the keyword, then 3 to 6 fillers, each a
   * content word or a stop word with equal chance.
   */
  List<String> rows(int n, Random rnd) {
    List<String> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean pos = rnd.nextBoolean();
      List<String> words = new ArrayList<>();
      List<String> keys = pos ? positive : negative;
      words.add(keys.get(rnd.nextInt(keys.size())));
      for (int w = 3 + rnd.nextInt(4); w > 0; w--) {
        List<String> from = rnd.nextBoolean() ? content : stopWords;
        words.add(from.get(rnd.nextInt(from.size())));
      }
      rows.add(String.join(" ", words) + "\t" + (pos ? 1 : 0));
    }
    return rows;
  }

  /** Writes train.tsv and dev.tsv into {@code dir} (created); returns {@code dir}. */
  static Path writeTask(Path dir, List<String> train, List<String> dev) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("train.tsv"), table(train), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("dev.tsv"), table(dev), StandardCharsets.UTF_8);
    return dir;
  }

  private static String table(List<String> rows) {
    return "sentence\tlabel\n" + String.join("\n", rows) + "\n";
  }

  /**
   * A GloVe text file: each keyword its polarity's centre plus noise (so its nearest words are the other keywords of
   * its polarity), every other vocabulary word a random direction.
   */
  void writeGlove(Path file, int dim, long seed) throws IOException {
    Random rnd = new Random(seed);
    double[] positiveCentre = gaussian(rnd, dim);
    double[] negativeCentre = gaussian(rnd, dim);
    List<String> words = new ArrayList<>();
    words.addAll(stopWords);
    words.addAll(content);
    words.addAll(others);
    words.addAll(positive);
    words.addAll(negative);
    Collections.shuffle(words, rnd);
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      double[] centre = positive.contains(w) ? positiveCentre : negative.contains(w) ? negativeCentre : null;
      double[] v = gaussian(rnd, dim);
      sb.append(w);
      for (int i = 0; i < dim; i++) {
        sb.append(' ').append(String.format(java.util.Locale.ROOT, "%.5f", centre == null ? v[i] : centre[i]
            + 0.5 * v[i]));
      }
      sb.append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  private static double[] gaussian(Random rnd, int dim) {
    double[] v = new double[dim];
    for (int i = 0; i < dim; i++) v[i] = rnd.nextGaussian();
    return v;
  }
}
