package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tinybert.testing.Tensors.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.tinybert.bench.DistillBenchmark;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.Dropout;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;
import org.tinybert.model.cpu.CpuEngine;
import org.tinybert.model.nd4j.Nd4jEngine;
import org.tinybert.testing.Golden;

/**
 * DL4J training steps of the golden student with the portable engine against the CPU engine: the same losses step
 * after step (dropout on, so both draw the same masks) as each other and as a recorded run, the engine carried in the
 * configuration Spark ships, the portable engine really doing the work, and memory flat once the shapes repeat.
 * Public so that the GPU test runs it on a CUDA backend too (where the comparisons with the CPU engine are skipped).
 */
public class EngineParityTest {
  static final int STEPS = 6;

  /** The golden student under distillation from the golden teacher, with dropout, computed by {@code engine}. */
  public static ComputationGraph graph(EngineChoice engine) {
    DistillationLayer layer = DistillationLayerTest.goldenLayer(LossWeights.intermediate(),
        new WarmupLinearSchedule(1e-3, 0.1, 20)).withDropout(new Dropout(0.1, 0.1, 3)).withEngine(engine);
    return DistillationGraph.create(layer, 1, Golden.checkpoint("student").weights());
  }

  /** The golden batch, as each training step sees it. */
  public static MultiDataSet data() {
    return DistillationLayerTest.goldenData(null);
  }

  static double[] train(ComputationGraph g, int steps) {
    MultiDataSet data = data();
    double[] scores = new double[steps];
    for (int i = 0; i < steps; i++) {
      g.fit(data);
      scores[i] = g.score();
    }
    return scores;
  }

  /** The losses of the run recorded with the CPU engine (see the fixture's README), reproduced by every engine. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.Engines#available")
  void trainingStepsReproduceTheRecordedLosses(Engine engine) throws IOException {
    JsonNode recorded;
    try (InputStream in = EngineParityTest.class.getResourceAsStream("/org/tinybert/distill/training-losses.json")) {
      recorded = new ObjectMapper().readTree(in).get("losses");
    }
    double[] got = train(graph(EngineChoice.parse(engine.name())), recorded.size());
    for (int i = 0; i < got.length; i++) {
      assertRelClose(engine + " loss after step " + (i + 1), recorded.get(i).asDouble(), got[i], 1e-4);
    }
  }

  @Test
  void trainingStepsGiveTheSameLossesOnBothEngines() {
    assumeTrue(EngineChoice.nativeBackend(), "the CPU engine runs on ND4J's native backend only");
    ComputationGraph cpu = graph(EngineChoice.CPU);
    ComputationGraph nd4j = graph(EngineChoice.ND4J);
    double[] a = train(cpu, STEPS);
    double[] b = train(nd4j, STEPS);
    for (int i = 0; i < STEPS; i++) assertRelClose("loss after step " + (i + 1), a[i], b[i], 1e-4);
    assertTrue(a[STEPS - 1] < a[0], "the loss falls: " + a[0] + " -> " + a[STEPS - 1]);
    Map<String, INDArray> wa = DistillationGraph.studentWeights(cpu);
    Map<String, INDArray> wb = DistillationGraph.studentWeights(nd4j);
    for (String name : wa.keySet()) {
      double scale = Math.max(1e-3, wa.get(name).amaxNumber().doubleValue());
      double diff = wa.get(name).sub(wb.get(name)).amaxNumber().doubleValue();
      assertTrue(diff <= 1e-4 * scale, name + " differs by " + diff + " after " + STEPS + " steps");
    }
  }

  @Test
  void theEngineTravelsInTheConfigurationSparkShips() {
    ComputationGraphConfiguration conf = graph(EngineChoice.ND4J).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    ComputationGraph shipped = new ComputationGraph(back);
    shipped.init();
    DistillationLayer layer = DistillationGraph.layerConf(shipped);
    assertEquals(EngineChoice.ND4J, layer.getEngine());
    assertEquals(EngineChoice.ND4J, ((BertAdam) layer.getUpdater()).getEngine(), "the optimiser's too");
    assertEquals(conf, back);
  }

  /**
   * The portable engine does its arithmetic in ND4J operations (a step of the CPU engine runs only a handful: the
   * pooler, the parameter views, DL4J's own bookkeeping).
   */
  @Test
  void thePortableEngineDoesTheWork() {
    assumeTrue(EngineChoice.nativeBackend(), "the CPU engine runs on ND4J's native backend only");
    ComputationGraph cpu = graph(EngineChoice.CPU);
    ComputationGraph nd4j = graph(EngineChoice.ND4J);
    MultiDataSet data = DistillationLayerTest.goldenData(null);
    long cpuOps = DistillBenchmark.nd4jOps(() -> cpu.fit(data));
    long nd4jOps = DistillBenchmark.nd4jOps(() -> nd4j.fit(data));
    assertTrue(nd4jOps > 3 * cpuOps, "ND4J ops per step: cpu engine " + cpuOps + ", nd4j engine " + nd4jOps);
    assertEquals(CpuEngine.NAME, EngineChoice.AUTO.resolve().name(), "auto is the CPU engine on this backend");
    assertEquals(Nd4jEngine.NAME, EngineChoice.ND4J.resolve().name());
  }

  /**
   * Once the shapes repeat, a step takes no new memory for its activations: the portable engine's temporaries live in
   * one workspace per thread that stops growing after the first steps, and every activation, cache and mask (of
   * either engine) comes from the thread's pool without a fresh allocation. (On the CPU backend ND4J counts no
   * per-buffer allocations to read; the GPU test reads the device's count as well.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.Engines#available")
  void aStepAllocatesNothingNewOnceTheShapesRepeat(Engine engine) {
    ComputationGraph g = graph(EngineChoice.parse(engine.name()));
    MultiDataSet data = DistillationLayerTest.goldenData(null);
    for (int i = 0; i < 5; i++) g.fit(data); // warm-up: the workspace learns its size, the pool fills
    long scratch = Nd4jEngine.scratchBytes();
    long allocations = ArrayPool.local().allocations();
    if (engine == Nd4jEngine.INSTANCE) assertTrue(scratch > 0, "the temporaries live in the workspace");
    for (int i = 0; i < 10; i++) {
      g.fit(data);
      assertEquals(scratch, Nd4jEngine.scratchBytes(), "workspace bytes after step " + (i + 6));
      assertEquals(allocations, ArrayPool.local().allocations(), "pool allocations after step " + (i + 6));
    }
  }
}
