package org.tinybert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tinybert.io.HadoopIO;
import org.tinybert.testing.PackageGraph;

/** The packages of {@code common} form a ladder: no package reaches itself through the classes it uses. */
public class PackageCyclesTest {
  @Test
  void commonHasNoPackageCycles() throws URISyntaxException {
    PackageGraph graph = PackageGraph.of("org.tinybert", classesOf(HadoopIO.class));
    // A graph read wrongly would have no cycles either.
    assertTrue(graph.uses("org.tinybert.training", "org.tinybert.distill"), "jdeps output not understood");
    assertEquals("", graph.describeCycles());
  }

  /** The directory or jar that a class was loaded from. */
  public static Path classesOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
