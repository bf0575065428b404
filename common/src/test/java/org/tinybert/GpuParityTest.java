package org.tinybert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.augment.GloveNeighboursTest;
import org.tinybert.augment.MaskedLmCandidatesTest;
import org.tinybert.distill.EngineParityTest;
import org.tinybert.distill.GoldenLossTest;
import org.tinybert.model.DropoutTest;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.GoldenForwardTest;
import org.tinybert.model.nd4j.Nd4jEngine;

/**
 * The engine parity tests on ND4J's CUDA backend, where only the portable engine runs: every golden forward output,
 * loss and gradient, dropout against finite differences, the masked-LM and GloVe top-K, the recorded training run,
 * memory flat step after step, and the device binding Spark tasks rely on.
 *
 * <p>Run on a GPU node with {@code mvn -B -Pcuda test -pl common -am} (the cuda profile runs only {@code gpu} tests).
 * Skipped, saying why, where no CUDA backend loads (no GPU, no NVIDIA driver, no CUDA 11.6 runtime), on the CPU
 * backend (the default build), or on a GPU that ND4J 1.0.0-M2.1's binaries were not built for.
 */
@Tag("gpu")
@ExtendWith(GpuParityTest.RequiresUsableGpu.class)
class GpuParityTest {
  /** The first compute capability ND4J 1.0.0-M2.1's CUDA 11.6 libnd4j has no code for (Hopper, sm_90). */
  static final int UNSUPPORTED_MAJOR = 9;

  /** Disables the whole class, with the reason in the test report, where {@link #gpuProblem} finds one. */
  static final class RequiresUsableGpu implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String problem = gpuProblem();
      return problem == null ? ConditionEvaluationResult.enabled("a usable GPU")
          : ConditionEvaluationResult.disabled(problem);
    }
  }

  /** Why the GPU tests cannot run here, or null when they can. */
  static String gpuProblem() {
    boolean cpu;
    try {
      cpu = EngineChoice.nativeBackend();
    } catch (Throwable t) {
      Throwable root = t;
      while (root.getCause() != null) root = root.getCause();
      return "ND4J's CUDA backend did not load (no GPU, no NVIDIA driver or no CUDA 11.6 runtime?): " + root;
    }
    if (cpu) return "ND4J runs its CPU backend: run the GPU tests with -Pcuda on a GPU node";
    for (Map<String, Object> d : devices()) {
      Object major = d.get("cuda.deviceMajor");
      if (major != null && Integer.parseInt(major.toString()) >= UNSUPPORTED_MAJOR) {
        return "GPU " + d.get("cuda.deviceName") + " has compute capability " + major + "." + d.get("cuda.deviceMinor")
            + "; ND4J 1.0.0-M2.1's CUDA 11.6 binaries cover 3.7 to 8.6 (8.9 through 8.6's code), without PTX";
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> devices() {
    Object d = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.availableDevices");
    return d instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }

  @Test
  void theBackendIsCudaAndAutoPicksThePortableEngine() {
    assertSame(Nd4jEngine.INSTANCE, EngineChoice.AUTO.resolve());
    IllegalStateException e = assertThrows(IllegalStateException.class, EngineChoice.CPU::resolve);
    assertTrue(e.getMessage().contains("needs ND4J's native CPU backend"), e.getMessage());
    assertTrue(Nd4j.getAffinityManager().getNumberOfDevices() >= 1);
  }

  /** What GpuBinding does for a task: the thread's arrays then live on the device it was bound to. */
  @Test
  void aBoundThreadAllocatesOnItsDevice() {
    int last = Nd4j.getAffinityManager().getNumberOfDevices() - 1;
    Integer before = Nd4j.getAffinityManager().getDeviceForCurrentThread();
    try {
      Nd4j.getAffinityManager().unsafeSetDevice(last);
      assertEquals(last, Nd4j.getAffinityManager().getDeviceForCurrentThread());
      INDArray a = Nd4j.create(DataType.FLOAT, 16, 16).addi(1);
      assertEquals(last, Nd4j.getAffinityManager().getDeviceForArray(a));
      assertEquals(256.0, a.sumNumber().doubleValue());
    } finally {
      Nd4j.getAffinityManager().unsafeSetDevice(before);
    }
  }

  /** Device memory as ND4J counts it (outside workspaces) does not grow from step to step. */
  @Test
  void aTrainingStepTakesNoNewDeviceMemory() {
    int device = Nd4j.getAffinityManager().getDeviceForCurrentThread();
    ComputationGraph g = EngineParityTest.graph(EngineChoice.ND4J);
    MultiDataSet data = EngineParityTest.data();
    boolean periodic = Nd4j.getMemoryManager().isPeriodicGcActive();
    Nd4j.getMemoryManager().togglePeriodicGc(false);
    try {
      for (int i = 0; i < 5; i++) g.fit(data);
      long before = Nd4j.getMemoryManager().allocatedMemory(device);
      int steps = 10;
      for (int i = 0; i < steps; i++) g.fit(data);
      long perStep = (Nd4j.getMemoryManager().allocatedMemory(device) - before) / steps;
      assertTrue(perStep < 256 << 10, "device memory grew by " + perStep + " bytes per step");
    } finally {
      Nd4j.getMemoryManager().togglePeriodicGc(periodic);
    }
  }

  @Nested
  class Forward extends GoldenForwardTest {}

  @Nested
  class LossesAndGradients extends GoldenLossTest {}

  @Nested
  class DropoutAgainstFiniteDifferences extends DropoutTest {}

  @Nested
  class MaskedLmTopK extends MaskedLmCandidatesTest {}

  @Nested
  class GloveTopK extends GloveNeighboursTest {}

  @Nested
  class Training extends EngineParityTest {}
}
