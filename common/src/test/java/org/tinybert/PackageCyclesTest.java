package org.tinybert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tinybert.io.HadoopIO;
import org.tinybert.testing.PackageGraph;

/** The packages of {@code common} form a ladder: no package reaches itself through the classes it uses. */
public class PackageCyclesTest {
  /**
   * The one tangle left, and only as it is now: {@code model} picks its engines ({@code EngineChoice} names {@code
   * cpu.CpuEngine} and {@code nd4j.Nd4jEngine}) while they implement its {@code Engine} on its {@code BertBatch}, and
   * {@code model} names its weights with {@code checkpoint.HfNames} while {@code checkpoint} reads {@code
   * BertConfig}. TODO(#21): move the engine contract below model and the HF names beside BertConfig.
   */
  public static final Set<String> MODEL_AND_ENGINES = Set.of("org.tinybert.model", "org.tinybert.model.checkpoint",
      "org.tinybert.model.cpu", "org.tinybert.model.nd4j");

  @Test
  void commonHasNoPackageCycles() throws URISyntaxException {
    PackageGraph graph = PackageGraph.of("org.tinybert", classesOf(HadoopIO.class));
    // A graph read wrongly would have no cycles either.
    assertTrue(graph.uses("org.tinybert.training", "org.tinybert.distill"), "jdeps output not understood");
    assertEquals("", graph.describeCyclesExcept(Set.of(MODEL_AND_ENGINES)));
  }

  /** Fails once the model tangle is gone, so that its exemption goes with it. */
  @Test
  void knownTangleIsNamedStepByStep() throws URISyntaxException {
    PackageGraph graph = PackageGraph.of("org.tinybert", classesOf(HadoopIO.class));
    String cycles = graph.describeCycles();
    assertTrue(cycles.contains("cycle among " + new TreeSet<>(MODEL_AND_ENGINES)), cycles);
    assertTrue(cycles.contains("org.tinybert.model.checkpoint -> org.tinybert.model ("), cycles);
  }

  /** The directory or jar that a class was loaded from. */
  public static Path classesOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
