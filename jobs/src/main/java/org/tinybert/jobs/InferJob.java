package org.tinybert.jobs;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.tinybert.config.InferSettings;
import org.tinybert.infer.InferPipeline;
import org.tinybert.infer.InferSummary;

/**
 * The {@code infer} job: a model over every row of a table ({@link InferPipeline}), written as a directory of parts
 * with its manifest beside it. A rerun over a finished output does nothing; a rerun after a crash scores only the
 * parts that are missing.
 */
public final class InferJob {
  private InferJob() {}

  public static InferSummary run(SparkSession spark, InferSettings settings) throws IOException {
    return InferPipeline.run(spark, settings);
  }
}
