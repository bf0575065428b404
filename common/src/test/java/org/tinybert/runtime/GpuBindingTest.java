package org.tinybert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.tinybert.testing.LocalSpark;

/**
 * The GPU a task holds, read from its Spark resources, and the plugin that binds each task to it, loaded the way
 * {@code submit.sh ... gpu} configures it. (On this CPU-only machine no task holds a GPU, so binding does nothing;
 * the GPU test checks the binding itself.)
 */
class GpuBindingTest {
  static Map<String, ResourceInformation> gpus(String... addresses) {
    return Map.of(GpuBinding.RESOURCE, new ResourceInformation(GpuBinding.RESOURCE, addresses));
  }

  @Test
  void theTasksDeviceIsItsFirstGpuAddress() {
    assertEquals(OptionalInt.of(1), GpuBinding.deviceOf(gpus("1")));
    assertEquals(OptionalInt.of(2), GpuBinding.deviceOf(gpus(" 2", "3")));
    assertEquals(OptionalInt.empty(), GpuBinding.deviceOf(Map.of()));
    assertEquals(OptionalInt.empty(), GpuBinding.deviceOf(gpus()));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> GpuBinding.deviceOf(gpus("GPU-5f2a")));
    assertTrue(e.getMessage().contains("\"GPU-5f2a\"") && e.getMessage().contains("expected a device number"),
        e.getMessage());
  }

  @Test
  void outsideATaskNothingIsBound() {
    assertEquals(OptionalInt.empty(), GpuBinding.assignedDevice());
    assertEquals(-1, GpuBinding.bindCurrentTask());
  }

  @Test
  void thePluginRunsAtTheStartOfEveryTask() {
    SparkSession spark = LocalSpark.builder().conf("spark.plugins", GpuPlugin.class.getName()).start("GpuBindingTest");
    try {
      long before = GpuPlugin.tasksStarted();
      List<Integer> devices = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(List.of(1, 2, 3, 4), 4).map(x -> GpuBinding.bindCurrentTask()).collect();
      assertEquals(List.of(-1, -1, -1, -1), devices, "no task holds a GPU here");
      assertEquals(4, GpuPlugin.tasksStarted() - before, "tasks the plugin saw start");
    } finally {
      LocalSpark.stop(spark);
    }
  }
}
