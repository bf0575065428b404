package org.tinybert.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Carries the driver's step count to DL4J Spark's workers. A worker builds each round's replica from
 * {@code ComputationGraphConfiguration.clone()}, which (DL4J 1.0.0-M2) drops the iteration and epoch counts, so every
 * round would train as if it were the first: the warmup-linear schedule would stay at its first steps (learning rate
 * 0 at step 0: with averaging frequency 1 nothing was learned at all), AdamW's bias correction and dropout's step key
 * would restart. Before each minibatch this raises the replica's counts to the steps the run had taken when the round
 * began; DL4J then counts the round's own steps on from there.
 *
 * <p>The hook travels inside each round's worker closure, so {@link #startRound} must be called before the round is
 * handed to Spark.
 */
final class StepCountHook implements TrainingHook {
  private static final long serialVersionUID = 1L;
  private int iteration;
  private int epoch;

  /** The run's steps per worker and epoch (0-based) when the next round begins. */
  void startRound(long steps, int epoch) {
    this.iteration = Math.toIntExact(steps);
    this.epoch = epoch;
  }

  private void apply(Model model) {
    if (model instanceof ComputationGraph g) {
      ComputationGraphConfiguration c = g.getConfiguration();
      if (c.getIterationCount() < iteration) c.setIterationCount(iteration);
      c.setEpochCount(epoch);
    }
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    apply(model);
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {
    apply(model);
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {}

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {}
}
