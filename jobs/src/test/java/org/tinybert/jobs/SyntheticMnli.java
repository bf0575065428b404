package org.tinybert.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny task in MNLI's published layout (train.tsv, dev_matched.tsv) over words of the golden vocabulary, with
 * random labels: for running task distillation with the golden teacher, whose classifier has MNLI's three labels.
 */
final class SyntheticMnli {
  private static final List<String> WORDS = List.of("the", "dog", "cat", "saw", "a", "bird", "ran", "to", "house",
      "big", "small");
  private static final String[] LABELS = {"contradiction", "entailment", "neutral"};
  private static final String COLUMNS = "index\tpromptID\tpairID\tgenre\ts1b\ts2b\ts1p\ts2p\tsentence1\tsentence2";

  private SyntheticMnli() {}

  /** Writes 32 training and 16 dev pairs into {@code dir} (created); returns it. */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(3);
    StringBuilder train = new StringBuilder(COLUMNS + "\tlabel1\tgold_label\n");
    StringBuilder dev = new StringBuilder(COLUMNS + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n");
    for (int i = 0; i < 48; i++) {
      String a = sentence(r);
      String b = sentence(r);
      String y = LABELS[r.nextInt(3)];
      String row = i + "\t" + i + "\t" + i + "e\tfiction\t( x )\t( y )\t(ROOT x)\t(ROOT y)\t" + a + "\t" + b;
      if (i < 32) {
        train.append(row).append('\t').append(y).append('\t').append(y).append('\n');
      } else {
        dev.append(row).append(("\t" + y).repeat(5)).append('\t').append(y).append('\n');
      }
    }
    Files.writeString(dir.resolve("train.tsv"), train, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("dev_matched.tsv"), dev, StandardCharsets.UTF_8);
    return dir;
  }

  private static String sentence(Random r) {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < 3 + r.nextInt(4); i++) w.add(WORDS.get(r.nextInt(WORDS.size())));
    return String.join(" ", w) + ".";
  }
}
