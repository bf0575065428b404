package org.tinybert.jobs;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.augment.AugmentRun;
import org.tinybert.config.AugmentSettings;

/**
 * {@code tinybert augment} as a Spark job: TinyBERT's data augmentation of a training set with its manifest
 * ({@link AugmentRun}). A rerun with the same settings and unchanged inputs finds the output finished and does nothing,
 * so a scheduler may rerun it freely.
 */
public final class AugmentJob {
  private static final Logger LOG = LoggerFactory.getLogger(AugmentJob.class);

  private AugmentJob() {}

  public static AugmentRun.Result run(SparkSession spark, AugmentSettings settings) throws IOException {
    LOG.info("augment: {}", settings);
    return AugmentRun.run(spark, settings);
  }
}
