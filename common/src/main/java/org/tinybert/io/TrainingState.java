package org.tinybert.io;

/**
 * Where a training run stands, saved with every checkpoint so that a rerun continues from there.
 *
 * @param epoch the epoch in progress (0-based)
 * @param batchesDone minibatches of that epoch already trained (in the epoch's seeded order)
 * @param round averaging rounds done in the whole run
 * @param steps optimiser steps each worker has taken (the learning-rate schedule's position)
 * @param examples training examples seen
 * @param seconds training wall time so far
 * @param finished whether the run has completed every epoch
 */
public record TrainingState(int epoch, long batchesDone, long round, long steps, long examples, double seconds,
    boolean finished) {

  public static TrainingState start() {
    return new TrainingState(0, 0, 0, 0, 0, 0, false);
  }
}
