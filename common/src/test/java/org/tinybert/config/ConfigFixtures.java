package org.tinybert.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The hand-written settings files of this package's tests, as local paths (so origins carry file and line). */
final class ConfigFixtures {
  private ConfigFixtures() {}

  static Path file(String name) {
    try {
      return Path.of(ConfigFixtures.class.getResource("/org/tinybert/config/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 1-based line of the first line of {@code file} whose first word is {@code key}. */
  static int lineOf(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String t = lines.get(i).strip();
        if (t.startsWith(key + " ") || t.startsWith(key + "=")) return i + 1;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException(key + " is not in " + file);
  }
}
