package org.tinybert.augment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.testing.Golden;

/** The fixtures under /org/tinybert/augment (see its README) and the golden teacher as a masked LM. */
final class AugmentFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode expected;

  private AugmentFixtures() {}

  static java.nio.file.Path file(String name) {
    try {
      return java.nio.file.Path.of(AugmentFixtures.class.getResource("/org/tinybert/augment/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path path(String name) {
    return new Path(file(name).toUri());
  }

  static synchronized JsonNode expected() {
    if (expected == null) {
      try {
        expected = JSON.readTree(file("expected.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return expected;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The golden teacher (with its MLM head) and its vocabulary, uncased. */
  static MaskedLm teacher() {
    return MaskedLm.cached(Golden.hadoopPath("teacher"), new Configuration(), true);
  }

  static GloveVectors glove() {
    try {
      return GloveVectors.load(path("glove.txt"), new Configuration(), new GloveVectors.Options(100_000, false, 5));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
