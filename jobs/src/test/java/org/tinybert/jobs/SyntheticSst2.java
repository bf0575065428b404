package org.tinybert.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A GLUE task in SST-2's format that a tiny BERT can learn: each sentence is a few neutral words of the golden
 * vocabulary with one sentiment keyword first; the keyword decides the label (1 positive, 0 negative).
 */
final class SyntheticSst2 {
  static final List<String> NEUTRAL = List.of("the", "cat", "dog", "house", "tree", "river", "car", "book", "city",
      "music", "moon", "sky", "road", "bird", "fish", "horse", "school", "film", "song", "game");
  static final List<String> POSITIVE = List.of("good", "great", "wonderful", "happy", "best", "funny");
  static final List<String> NEGATIVE = List.of("bad", "terrible", "awful", "boring", "worst", "sad");

  private SyntheticSst2() {}

  /** Writes train.tsv and dev.tsv (header "sentence\tlabel") into {@code dir}; returns {@code dir}. */
  static java.nio.file.Path write(java.nio.file.Path dir, int train, int dev, long seed) throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(seed);
    Files.writeString(dir.resolve("train.tsv"), rows(train, rnd), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("dev.tsv"), rows(dev, rnd), StandardCharsets.UTF_8);
    return dir;
  }

  private static String rows(int n, Random rnd) {
    StringBuilder sb = new StringBuilder("sentence\tlabel\n");
    for (int i = 0; i < n; i++) {
      boolean positive = rnd.nextBoolean();
      List<String> words = new ArrayList<>();
      int len = 3 + rnd.nextInt(4);
      for (int w = 0; w < len; w++) words.add(NEUTRAL.get(rnd.nextInt(NEUTRAL.size())));
      List<String> keys = positive ? POSITIVE : NEGATIVE;
      // The keyword opens the sentence: learnable in a few hundred steps by a tiny random BERT (at a random position
      // the model must first learn to attend to it, which took far longer than a unit test should).
      words.add(0, keys.get(rnd.nextInt(keys.size())));
      sb.append(String.join(" ", words)).append('\t').append(positive ? 1 : 0).append('\n');
    }
    return sb.toString();
  }
}
