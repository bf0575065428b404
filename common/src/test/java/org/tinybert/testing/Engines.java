package org.tinybert.testing;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;
import org.tinybert.model.cpu.CpuEngine;
import org.tinybert.model.nd4j.Nd4jEngine;

/**
 * The engines a parity test runs on: both on ND4J's native backend (the CPU kernels and the portable engine), the
 * portable one alone on any other (a CUDA build), so the same tests check a GPU.
 */
public final class Engines {
  private Engines() {}

  /** For {@code @MethodSource("org.tinybert.testing.Engines#available")}. */
  public static List<Engine> available() {
    return EngineChoice.nativeBackend() ? List.of(CpuEngine.INSTANCE, Nd4jEngine.INSTANCE)
        : List.of(Nd4jEngine.INSTANCE);
  }

  /** {@code tinybert.engine} values that resolve to {@link #available()}, for tests of the jobs. */
  public static List<String> settings() {
    return available().stream().map(Engine::name).toList();
  }

  /** Every golden set with every available engine. */
  public static Stream<Arguments> goldenSets() {
    return GoldenSet.all().stream().flatMap(s -> available().stream().map(e -> Arguments.of(s, e)));
  }
}
