package org.tinybert.glue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** The GLUE fixtures of {@code src/test/resources/org/tinybert/glue} as Hadoop paths and JSON. */
public final class GlueFixtures {
  private GlueFixtures() {}

  public static final Configuration CONF = new Configuration();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fixture file or directory, relative to the glue fixture directory. */
  public static Path path(String relative) {
    URL url = GlueFixtures.class.getResource("/org/tinybert/glue/" + relative);
    if (url == null) throw new IllegalStateException("missing test resource org/tinybert/glue/" + relative);
    try {
      return new Path(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code cases} array of a JSON resource (absolute classpath name), one node per case. */
  public static List<JsonNode> cases(String resource) {
    try (InputStream in = GlueFixtures.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      List<JsonNode> out = new ArrayList<>();
      JSON.readTree(in).get("cases").forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode json(String resource) {
    try (InputStream in = GlueFixtures.class.getResourceAsStream(resource)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null && !array.isNull()) array.forEach(x -> out.add(x.asText()));
    return out;
  }
}
