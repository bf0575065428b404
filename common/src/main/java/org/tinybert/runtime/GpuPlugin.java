package org.tinybert.runtime;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark.plugins=org.tinybert.runtime.GpuPlugin}: binds every task's thread to its GPU before the task runs
 * ({@link GpuBinding}). Spark calls an executor plugin's {@code onTaskStart} on the task's own thread, before any of
 * the task's code, which is the one place early enough for DL4J's training worker (it builds its model before our
 * layer runs). {@code deploy/spark/submit.sh ... gpu} sets it.
 */
public final class GpuPlugin implements SparkPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(GpuPlugin.class);
  private static final AtomicLong TASKS = new AtomicLong();

  /** Tasks this JVM's executor plugin has seen start (for logs and tests). */
  public static long tasksStarted() {
    return TASKS.get();
  }

  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        LOG.info("executor {} GPU resources: {}", ctx.executorID(), ctx.resources().get(GpuBinding.RESOURCE));
      }

      @Override
      public void onTaskStart() {
        TASKS.incrementAndGet();
        // Spark logs and swallows what this throws; the task then runs unbound, so say what went wrong loudly.
        try {
          GpuBinding.bindCurrentTask();
        } catch (RuntimeException e) {
          LOG.error("cannot bind this task to its GPU", e);
          throw e;
        }
      }
    };
  }
}
