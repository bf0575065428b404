package org.tinybert.augment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinybert.config.AugmentSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.testing.Golden;

/** Augment settings as the command line would give them, and the lines of the files the job writes. */
final class SparkTests {
  private SparkTests() {}

  /** Settings with the golden teacher, the test GloVe, N = 6 and the given overrides ({@code key=value}). */
  static AugmentSettings settings(String task, String input, String output, String... overrides) {
    List<String> set = new ArrayList<>(List.of(
        "tinybert.augment.task=" + task,
        "tinybert.augment.input=" + input,
        "tinybert.augment.glove=" + AugmentFixtures.path("glove.txt"),
        "tinybert.augment.mlm=" + Golden.hadoopPath("teacher"),
        "tinybert.augment.output=" + output,
        "tinybert.augment.variants=6",
        "tinybert.augment.batch-size=16"));
    for (String o : overrides) set.add("tinybert.augment." + o);
    return AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), set));
  }

  static List<String> lines(java.nio.file.Path p) throws IOException {
    return Files.readAllLines(p, StandardCharsets.UTF_8);
  }
}
