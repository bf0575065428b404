package org.tinybert.jobs;

import org.apache.spark.sql.SparkSession;

/** The Spark session a command runs in. */
final class Sessions {
  private Sessions() {}

  /**
   * Runs {@code job} in the active Spark session, or in a new one (master and settings from spark-submit or the
   * launcher's {@code -Dspark.*}) that is stopped afterwards.
   */
  static <T> T inSession(String app, SessionJob<T> job) throws Exception {
    // A session a previous command in this JVM stopped can still be the thread's active one: never reuse it.
    scala.Option<SparkSession> existing = SparkSession.getActiveSession();
    if (existing.isEmpty() || existing.get().sparkContext().isStopped()) existing = SparkSession.getDefaultSession();
    if (existing.isDefined() && !existing.get().sparkContext().isStopped()) return job.run(existing.get());
    SparkSession spark = SparkSession.builder().appName(app).getOrCreate();
    try {
      return job.run(spark);
    } finally {
      spark.stop();
    }
  }

  /** A job body that runs in a session. */
  @FunctionalInterface
  interface SessionJob<T> {
    T run(SparkSession spark) throws Exception;
  }
}
