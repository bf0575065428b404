package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;
import org.tinybert.PackageCyclesTest;
import org.tinybert.io.HadoopIO;
import org.tinybert.testing.PackageGraph;

/** The commands and the library together form a ladder too: nothing in {@code common} reaches back into jobs. */
class PackageCyclesJobsTest {
  @Test
  void jobsAndCommonHaveNoPackageCycles() throws URISyntaxException {
    PackageGraph graph = PackageGraph.of("org.tinybert", PackageCyclesTest.classesOf(Main.class),
        PackageCyclesTest.classesOf(HadoopIO.class));
    assertTrue(graph.uses("org.tinybert.jobs", "org.tinybert.jobs.cli"), "jdeps output not understood");
    assertEquals("", graph.describeCycles());
  }
}
