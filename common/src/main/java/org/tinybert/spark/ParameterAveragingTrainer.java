package org.tinybert.spark;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.io.CheckpointStore;
import org.tinybert.io.InputException;
import org.tinybert.io.TrainingState;

/**
 * Data-parallel training of a DL4J graph with DL4J Spark's {@link ParameterAveragingTrainingMaster}: each round, every
 * worker trains its replica on {@code averagingFrequency} minibatches next to the teacher, then parameters and updater
 * state are averaged on the driver and broadcast back.
 *
 * <p>The driver hands DL4J one round at a time (exactly workers x averagingFrequency minibatch files through
 * {@code fitPaths}, which loads each file once on an executor), so between rounds it can report progress, checkpoint
 * and stop; a rerun resumes from the last checkpoint at the same minibatch of the same epoch.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  /** How the work is split. */
  public record Plan(int workers, int batchSize, int averagingFrequency, int epochs, int checkpointEvery, long seed) {
    public int batchesPerRound() {
      return workers * averagingFrequency;
    }

    /**
     * The optimiser steps each worker takes over the run when an epoch holds {@code batchesPerEpoch} minibatches:
     * whole rounds only, as {@link ParameterAveragingTrainer#train} trains them. What sizes the learning-rate schedule.
     */
    public long totalSteps(long batchesPerEpoch) {
      return (batchesPerEpoch - batchesPerEpoch % batchesPerRound()) / workers * epochs;
    }
  }

  /** One epoch's minibatch files, in training order, and how to load one. */
  public record Epoch(List<String> batchPaths, MultiDataSetLoader loader) {}

  /**
   * What the driver learns after each round.
   *
   * @param roundSeconds wall time of the round's training (DL4J's {@code fitPaths})
   * @param stepSeconds of that, the time the workers spent in optimiser steps, averaged over workers; the rest is what
   *     a round costs besides training
   */
  public record Round(TrainingState state, int batches, double score, double roundSeconds, double stepSeconds,
      long batchesThisEpoch, long totalBatches) {}

  /** Called on the driver after every round (logging, metrics, probes, early stop). */
  public interface Observer {
    void afterRound(ComputationGraph graph, Round round) throws IOException;

    /** Called after each checkpoint is written. */
    default void afterCheckpoint(TrainingState state) throws IOException {}
  }

  private final JavaSparkContext jsc;
  private final Plan plan;
  private final CheckpointStore store;
  private final java.util.function.Function<ComputationGraph, CheckpointStore.Extra> extraFactory;

  /**
   * @param extra what to write into each checkpoint besides the graph (e.g. the student as a Hugging Face model),
   *     given the graph being checkpointed
   */
  public ParameterAveragingTrainer(JavaSparkContext jsc, Plan plan, CheckpointStore store,
      java.util.function.Function<ComputationGraph, CheckpointStore.Extra> extra) {
    this.jsc = jsc;
    this.plan = plan;
    this.store = store;
    this.extraFactory = extra;
  }

  /**
   * Trains from {@code state} to the end of the last epoch. {@code epochs} gives each epoch's minibatches (called once
   * per epoch, so an epoch's export happens only when it is reached). Returns the final state; the graph holds the
   * trained parameters.
   */
  public TrainingState train(ComputationGraph graph, TrainingState state, IntFunction<Epoch> epochs, String jobName,
      Observer observer) throws IOException {
    if (state.finished()) return state;
    ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(plan.workers(), plan.batchSize())
        .batchSizePerWorker(plan.batchSize())
        .averagingFrequency(plan.averagingFrequency())
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        // Each round's paths arrive in exactly `workers` partitions of averagingFrequency paths (below): DL4J's
        // balancing would only run one more Spark job per round to count them.
        .repartionData(Repartition.Never)
        .rngSeed(plan.seed())
        .collectTrainingStats(false)
        .build();
    StepCountHook steps = new StepCountHook();
    tm.addHook(steps);
    StepTimer timer = new StepTimer(jsc);
    tm.addHook(timer);
    LOG.info("each round moves {} MB of parameters and optimiser state to every worker and as much back",
        String.format("%.1f", roundBytesPerWorker(graph) / 1e6));
    SparkComputationGraph spark = new SparkComputationGraph(jsc, graph, tm);
    TrainingState s = state;
    int sinceCheckpoint = 0;
    long start = System.nanoTime();
    for (int epoch = s.epoch(); epoch < plan.epochs(); epoch++) {
      Epoch e = epochs.apply(epoch);
      MultiDataSetLoader loader = HaltOnMinibatch.wrap(jsc.getConf(), e.loader());
      List<String> paths = e.batchPaths();
      long done = epoch == s.epoch() ? s.batchesDone() : 0;
      // Whole rounds only: DL4J's parameter averaging does not apply a round in which a worker gets fewer than
      // averagingFrequency minibatches (seen: the parameters stay unchanged), so the epoch's tail is left out.
      if (paths.size() < plan.batchesPerRound()) {
        throw new InputException("epoch " + (epoch + 1) + " has " + paths.size() + " minibatches, fewer than "
            + "one averaging round (workers " + plan.workers() + " x averaging-frequency " + plan.averagingFrequency()
            + "): use fewer workers, a lower averaging frequency or a smaller batch size");
      }
      long usable = paths.size() - paths.size() % plan.batchesPerRound();
      if (usable < paths.size() && done == 0) {
        LOG.info("epoch {}: the last {} minibatch(es) do not fill an averaging round and are left out", epoch + 1,
            paths.size() - usable);
      }
      while (done < usable) {
        int n = (int) Math.min(plan.batchesPerRound(), usable - done);
        List<String> round = paths.subList((int) done, (int) done + n);
        jsc.setJobDescription(String.format("%s: round %d (epoch %d, minibatches %d-%d of %d)", jobName,
            s.round() + 1, epoch + 1, done + 1, done + n, paths.size()));
        long t0 = System.nanoTime();
        steps.startRound(s.steps(), epoch);
        timer.reset();
        Set<Integer> persisted = Set.copyOf(jsc.getPersistentRDDs().keySet());
        spark.fitPaths(jsc.parallelize(round, Math.min(plan.workers(), n)), loader);
        double secs = (System.nanoTime() - t0) / 1e9;
        // DL4J caches each round's paths and results (every worker's parameters and optimiser state) and never
        // releases them: executors would hold them until the driver's garbage collector let Spark's cleaner run.
        jsc.getPersistentRDDs().forEach((id, rdd) -> {
          if (!persisted.contains(id)) rdd.unpersist(false);
        });
        done += n;
        long stepsPerWorker = (n + plan.workers() - 1) / plan.workers();
        s = new TrainingState(epoch, done, s.round() + 1, s.steps() + stepsPerWorker,
            s.examples() + (long) n * plan.batchSize(), state.seconds() + (System.nanoTime() - start) / 1e9, false);
        // The schedule follows DL4J's iteration count: keep it at the steps each worker has taken.
        graph.getConfiguration().setIterationCount((int) s.steps());
        if (observer != null) {
          observer.afterRound(graph, new Round(s, n, spark.getScore(), secs, timer.seconds() / plan.workers(),
              usable, usable * plan.epochs()));
        }
        boolean lastOfRun = done >= usable && epoch == plan.epochs() - 1;
        // The run's last round is checkpointed once, as finished, below.
        if (++sinceCheckpoint >= plan.checkpointEvery() && !lastOfRun) {
          checkpoint(graph, s, observer);
          sinceCheckpoint = 0;
        }
      }
      s = new TrainingState(epoch + 1, 0, s.round(), s.steps(), s.examples(), s.seconds(), epoch + 1 == plan.epochs());
    }
    s = new TrainingState(plan.epochs(), 0, s.round(), s.steps(), s.examples(), s.seconds(), true);
    checkpoint(graph, s, observer);
    jsc.setJobDescription(null);
    return s;
  }

  /**
   * Bytes each round sends to every worker (the parameters and the updater state, broadcast) and each worker sends
   * back (the same arrays, trained): what sizes the network of a run with many executors.
   */
  public static long roundBytesPerWorker(ComputationGraph graph) {
    INDArray state = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
    long values = graph.params().length() + (state == null ? 0 : state.length());
    return values * graph.params().dataType().width();
  }

  private void checkpoint(ComputationGraph graph, TrainingState s, Observer observer) throws IOException {
    long t0 = System.nanoTime();
    org.apache.hadoop.fs.Path p = store.save(graph, s, extraFactory == null ? null : extraFactory.apply(graph));
    LOG.info("checkpoint {} (round {}, epoch {}, {} examples) in {} s", p, s.round(),
        s.epoch() + (s.finished() ? 0 : 1), s.examples(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
    if (observer != null) observer.afterCheckpoint(s);
  }
}
