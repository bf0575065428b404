package org.tinybert.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run directories captured from real runs in {@code src/test/resources/org/tinybert/report/} (see the README
 * there), copied into a test's own directory so that a test may damage them.
 */
public final class ReportFixtures {
  /** The quick start's general distillation: one stage, probe losses per layer. */
  public static final String GENERAL_DISTILL = "general-distill";
  /** A task distillation of both stages: intermediate/ with probe losses, prediction with dev scores and best/. */
  public static final String TASK_DISTILL = "task-distill";

  private ReportFixtures() {}

  /** A copy of the fixture run {@code name} at {@code into}/{@code name}. */
  public static Path copy(String name, Path into) {
    URL url = ReportFixtures.class.getResource("/org/tinybert/report/" + name);
    if (url == null) throw new IllegalStateException("no run /org/tinybert/report/" + name + " on the test classpath");
    try {
      Path from = Path.of(url.toURI());
      Path to = into.resolve(name);
      List<Path> all;
      try (Stream<Path> s = Files.walk(from)) {
        all = s.toList();
      }
      for (Path p : all) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target); else Files.copy(p, target);
      }
      return to;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As a Hadoop path. */
  public static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }
}
