package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tinybert.cluster.SparkHome;
import org.tinybert.jobs.cli.ExitCodes;

/** What the cluster tests share: the inputs, the jobs' command lines, local-mode runs and output comparisons. */
final class ClusterRuns {
  private ClusterRuns() {}

  static Path sample(String name) {
    return SparkHome.projectRoot().resolve("deploy/sample").resolve(name);
  }

  /** The GloVe file of the augmentation tests (a tiny one, in common's test resources). */
  static Path glove() {
    return SparkHome.projectRoot().resolve("common/src/test/resources/org/tinybert/augment/glove.txt.gz");
  }

  /** A synthetic SST-2 task (train, dev, and an unlabelled test.tsv as GLUE publishes it) in {@code dir}. */
  static Path sst2(Path dir) throws IOException {
    SyntheticSst2.write(dir, 96, 32, 5);
    StringBuilder test = new StringBuilder("index\tsentence\n");
    List<String> dev = Files.readAllLines(dir.resolve("dev.tsv"));
    for (int i = 1; i < dev.size(); i++) test.append(i - 1).append('\t').append(dev.get(i).split("\t")[0]).append('\n');
    Files.writeString(dir.resolve("test.tsv"), test);
    return dir;
  }

  /**
   * General distillation of the bundled sample, sized for a test: 1 epoch of 409 instances, 2 workers x averaging
   * frequency 2 x batch 16, so 6 rounds, with a checkpoint every 2.
   */
  static List<String> generalDistill(String corpus, String teacher, String output) {
    return List.of("general-distill", "--set", "tinybert.general-distill.corpus=[\"" + corpus + "\"]", "--teacher",
        teacher, "--output", output, "--epochs", "1",
        "--workers", "2", "--averaging-frequency", "2", "--batch-size", "16",
        "--set", "tinybert.general-distill.checkpoint-every=2");
  }

  /** {@code tinybert <args>} in this JVM on local[2], as the launcher runs it on a 2-core machine; must succeed. */
  static MainTest.Run local(List<String> args) {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      MainTest.Run r = MainTest.tinybert(args.toArray(String[]::new));
      assertEquals(ExitCodes.OK, r.exit(), "local run of " + args + " failed:\n" + r.err());
      return r;
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }

  /** Asserts two directories hold the same files with the same bytes. */
  static void assertSameFiles(Path expected, Path actual) throws IOException {
    List<Path> want = files(expected);
    List<Path> got = files(actual);
    assertEquals(want, got, "files of " + actual + " vs " + expected);
    assertTrue(!want.isEmpty(), "no files in " + expected);
    for (Path f : want) {
      assertEquals(-1L, Files.mismatch(expected.resolve(f), actual.resolve(f)),
          f + " differs between " + expected + " and " + actual);
    }
  }

  /** Relative paths of the regular files below {@code dir}, sorted; Hadoop's .crc side files left out. */
  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> out = new ArrayList<>(s.filter(Files::isRegularFile).map(dir::relativize)
          .filter(p -> !p.getFileName().toString().endsWith(".crc")).sorted().toList());
      return out;
    }
  }
}
