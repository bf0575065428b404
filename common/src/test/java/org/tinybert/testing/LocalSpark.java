package org.tinybert.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * The local Spark session of a test class, the same for every test of both modules: {@code local[2]}, no web UI, 2
 * shuffle partitions, plus what a class adds with {@link #builder()}. Start it in {@code @BeforeAll} and stop it in
 * {@code @AfterAll}:
 *
 * <pre>{@code
 * static SparkSession spark;
 *
 * @BeforeAll
 * static void start() {
 *   spark = LocalSpark.start("MyTest");
 * }
 *
 * @AfterAll
 * static void stop() {
 *   LocalSpark.stop(spark);
 * }
 * }</pre>
 */
public final class LocalSpark {
  /**
   * Two task threads: the jobs' two data-parallel workers (the tests' {@code workers=2}) train at the same time, as
   * they do on the 2-core machine the suite is sized for.
   */
  public static final int THREADS = 2;

  private LocalSpark() {}

  /** A session with the defaults only. */
  public static SparkSession start(String app) {
    return builder().start(app);
  }

  /** Settings on top of the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Stops {@code spark} (null: nothing started) and forgets it as this thread's session, so that nothing later in the
   * JVM (the next class's {@link #start}, a command run in-process) finds a stopped session.
   */
  public static void stop(SparkSession spark) {
    if (spark == null) return;
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  /** What a test class sets on top of the defaults. */
  public static final class Builder {
    private int taskAttempts = 1;
    private final Map<String, String> conf = new LinkedHashMap<>();

    private Builder() {
      // No web UI: it starts a Jetty server and takes a port from 4040 on, per class; builds beside each other on one
      // machine would step through each other's ports.
      conf.put("spark.ui.enabled", "false");
      // Spark's 200 would schedule 200 tasks for every shuffle of a few test rows.
      conf.put("spark.sql.shuffle.partitions", "2");
    }

    /**
     * {@code local[2, n]}: a failed task is attempted up to {@code n} times, as {@code spark.task.maxFailures} does on
     * a cluster (local mode otherwise fails the job on the first failure).
     */
    public Builder taskAttempts(int n) {
      if (n < 1) throw new IllegalArgumentException("task attempts must be at least 1: " + n);
      taskAttempts = n;
      return this;
    }

    /** A Spark setting; replaces a default of the same key. */
    public Builder conf(String key, Object value) {
      conf.put(key, String.valueOf(value));
      return this;
    }

    public SparkSession start(String app) {
      // getOrCreate hands back a session that is still running, with its own master and settings instead of these:
      // a class that did not stop its session would silently change the next class's.
      running(SparkSession.getActiveSession());
      running(SparkSession.getDefaultSession());
      SparkSession.Builder b = SparkSession.builder().master(master()).appName(app);
      conf.forEach(b::config);
      return b.getOrCreate();
    }

    String master() {
      return taskAttempts == 1 ? "local[" + THREADS + "]" : "local[" + THREADS + "," + taskAttempts + "]";
    }

    private static void running(Option<SparkSession> s) {
      if (s.isDefined() && !s.get().sparkContext().isStopped()) {
        throw new IllegalStateException("a Spark session (" + s.get().sparkContext().appName()
            + ") is still running: the test class that started it did not stop it (LocalSpark.stop in @AfterAll)");
      }
    }
  }
}
