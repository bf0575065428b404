package org.tinybert.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Times the optimiser steps on DL4J Spark's workers (each minibatch's {@code fit}, teacher forward included) and sums
 * them into Spark accumulators, so the driver can split a round's wall time into training and everything else: the
 * round's Spark jobs, the broadcast of parameters and updater state, building the replica, serialising and averaging
 * the results. Accumulators count only successful tasks, so a retried task is not counted twice.
 */
final class StepTimer implements TrainingHook {
  private static final long serialVersionUID = 1L;
  private final DoubleAccumulator seconds;
  private final LongAccumulator steps;
  private transient long startedAt;

  StepTimer(JavaSparkContext jsc) {
    this.seconds = jsc.sc().doubleAccumulator("tinybert step seconds");
    this.steps = jsc.sc().longAccumulator("tinybert steps");
  }

  /** Zeroes both sums on the driver, before a round. */
  void reset() {
    seconds.reset();
    steps.reset();
  }

  /** Seconds the workers spent in optimiser steps since {@link #reset()}, summed over workers. */
  double seconds() {
    return seconds.value();
  }

  /** Optimiser steps since {@link #reset()}, summed over workers. */
  long steps() {
    return steps.value();
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    startedAt = System.nanoTime();
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {
    startedAt = System.nanoTime();
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {
    stop();
  }

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {
    stop();
  }

  private void stop() {
    seconds.add((System.nanoTime() - startedAt) / 1e9);
    steps.add(1);
  }
}
