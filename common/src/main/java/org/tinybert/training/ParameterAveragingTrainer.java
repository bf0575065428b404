package org.tinybert.training;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.io.CheckpointStore;
import org.tinybert.io.TrainingState;

/**
 * Data-parallel training of a DL4J graph by parameter averaging on Spark's Java API: each round, every worker (a Spark
 * task) starts from the same parameters and optimiser state, trains its replica on up to {@code averagingFrequency}
 * minibatches next to the teacher, and the driver averages parameters and optimiser state.
 *
 * <p>This is the algorithm of DL4J Spark's {@code ParameterAveragingTrainingMaster} (which earlier versions used) with
 * the same arithmetic: a round's states are summed in float with ND4J's {@code addi}, in worker order, and divided by
 * the number of workers with {@code divi}; the score is the mean of the workers' last scores. What differs is how the
 * state travels (DL4J serialised it element by element, twice per worker and round, and built a new replica every
 * round; see {@link AveragingRound}), and that an epoch's last round trains whatever minibatches are left, with fewer
 * workers or fewer minibatches each, where DL4J's could only train whole rounds.
 *
 * <p>The driver hands Spark one round at a time, so between rounds it can report progress, checkpoint and stop; a
 * rerun resumes from the last checkpoint at the same minibatch of the same epoch, and its rounds are the same.
 */
public final class ParameterAveragingTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  /** How the work is split. */
  public record Plan(int workers, int batchSize, int averagingFrequency, int epochs, int checkpointEvery, long seed) {
    public int batchesPerRound() {
      return workers * averagingFrequency;
    }

    /**
     * The rounds of an epoch whose minibatches from {@code done} on are still to train: whole rounds of
     * {@code workers} x {@code averagingFrequency} minibatches, then, for the rest, a short round. Each round is
     * given as its workers' minibatch counts, in worker order.
     */
    public List<int[]> rounds(long batchesPerEpoch, long done) {
      List<int[]> out = new ArrayList<>();
      long left = batchesPerEpoch - done;
      while (left > 0) {
        int[] round = roundOf(left);
        out.add(round);
        for (int n : round) left -= n;
      }
      return out;
    }

    /**
     * The next round when {@code left} minibatches of the epoch remain: a whole round, or the epoch's short last round,
     * which spreads what is left as evenly as it goes over at most {@code workers} workers (the first ones take one
     * more where it does not divide), so that it ends as soon as it can.
     */
    int[] roundOf(long left) {
      if (left >= batchesPerRound()) {
        int[] round = new int[workers];
        java.util.Arrays.fill(round, averagingFrequency);
        return round;
      }
      int w = (int) Math.min(workers, left);
      int[] round = new int[w];
      for (int i = 0; i < w; i++) round[i] = (int) (left / w + (i < left % w ? 1 : 0));
      return round;
    }

    /**
     * The optimiser steps each worker takes over the run when an epoch holds {@code batchesPerEpoch} minibatches (a
     * round advances the step count by its largest worker's minibatches): what sizes the learning-rate schedule.
     */
    public long totalSteps(long batchesPerEpoch) {
      long perEpoch = 0;
      for (int[] round : rounds(batchesPerEpoch, 0)) perEpoch += round[0];
      return perEpoch * epochs;
    }
  }

  /** One epoch's minibatch files, in training order, how to load one, and how many examples each holds. */
  public record Epoch(List<String> batchPaths, MultiDataSetLoader loader, Function<Integer, Integer> examplesOf) {
    /** An epoch whose minibatches all hold {@code batchSize} examples. */
    public Epoch(List<String> batchPaths, MultiDataSetLoader loader, int batchSize) {
      this(batchPaths, loader, i -> batchSize);
    }
  }

  /**
   * What the driver learns after each round.
   *
   * @param roundSeconds wall time of the round: its Spark job, the state's way out and back, and the averaging
   * @param stepSeconds of that, the time the workers spent in optimiser steps (teacher forward included), averaged
   *     over the round's workers
   * @param fixedSeconds what the round cost beyond its slowest worker's optimiser steps: the state handed to every
   *     worker and back, loading the minibatches, averaging, Spark's scheduling
   * @param steps optimiser steps this round added to the run's count (its busiest worker's minibatches)
   * @param examples training examples this round trained
   */
  public record Round(TrainingState state, int batches, int workers, int steps, long examples, double score,
      double roundSeconds, double stepSeconds, double fixedSeconds, long batchesThisEpoch, long totalBatches) {}

  /** Called on the driver after every round (logging, metrics, probes, early stop). */
  public interface Observer {
    void afterRound(ComputationGraph graph, Round round) throws IOException;

    /** Called after each checkpoint is written. */
    default void afterCheckpoint(TrainingState state) throws IOException {}
  }

  private final JavaSparkContext jsc;
  private final Plan plan;
  private final CheckpointStore store;
  private final Function<ComputationGraph, CheckpointStore.Extra> extraFactory;

  /**
   * @param extra what to write into each checkpoint besides the graph (e.g. the student as a Hugging Face model),
   *     given the graph being checkpointed
   */
  public ParameterAveragingTrainer(JavaSparkContext jsc, Plan plan, CheckpointStore store,
      Function<ComputationGraph, CheckpointStore.Extra> extra) {
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
    // Executors keep one replica per task slot for the whole run, keyed by it (AveragingRound).
    String runKey = UUID.randomUUID().toString();
    Broadcast<SerializableConfiguration> hadoop = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
    AveragingRound.Driver rounds = new AveragingRound.Driver(jsc, graph, runKey, plan.workers());
    LOG.info("each round moves {} MB of parameters and optimiser state to every worker and as much back{}",
        String.format("%.1f", AveragingRound.stateBytes(graph) / 1e6),
        jsc.isLocal() ? " (in this JVM: copied in memory, not serialised)" : "");
    TrainingState s = state;
    int sinceCheckpoint = 0;
    long start = System.nanoTime();
    try {
      for (int epoch = s.epoch(); epoch < plan.epochs(); epoch++) {
        Epoch e = epochs.apply(epoch);
        MultiDataSetLoader loader = HaltOnMinibatch.wrap(jsc.getConf(), e.loader());
        List<String> paths = e.batchPaths();
        long done = epoch == s.epoch() ? s.batchesDone() : 0;
        for (int[] round : plan.rounds(paths.size(), done)) {
          List<List<String>> work = new ArrayList<>(round.length);
          long examples = 0;
          int n = 0;
          for (int count : round) {
            work.add(List.copyOf(paths.subList((int) done + n, (int) done + n + count)));
            for (int i = 0; i < count; i++) examples += e.examplesOf().apply((int) done + n + i);
            n += count;
          }
          jsc.setJobDescription(String.format("%s: round %d (epoch %d, minibatches %d-%d of %d, %d worker(s))",
              jobName, s.round() + 1, epoch + 1, done + 1, done + n, paths.size(), round.length));
          AveragingRound.Result r = rounds.run(work, loader, hadoop, s.steps(), epoch);
          done += n;
          s = new TrainingState(epoch, done, s.round() + 1, s.steps() + round[0], s.examples() + examples,
              state.seconds() + (System.nanoTime() - start) / 1e9, false);
          // The schedule follows DL4J's iteration count: keep it at the steps each worker has taken.
          graph.getConfiguration().setIterationCount((int) s.steps());
          if (observer != null) {
            observer.afterRound(graph, new Round(s, n, round.length, round[0], examples, r.score(), r.roundSeconds(),
                r.meanStepSeconds(), r.fixedSeconds(), paths.size(), (long) paths.size() * plan.epochs()));
          }
          boolean lastOfRun = done >= paths.size() && epoch == plan.epochs() - 1;
          // The run's last round is checkpointed once, as finished, below.
          if (++sinceCheckpoint >= plan.checkpointEvery() && !lastOfRun) {
            checkpoint(graph, s, observer);
            sinceCheckpoint = 0;
          }
        }
        s = new TrainingState(epoch + 1, 0, s.round(), s.steps(), s.examples(), s.seconds(),
            epoch + 1 == plan.epochs());
      }
    } finally {
      rounds.close();
      hadoop.destroy();
      jsc.setJobDescription(null);
    }
    s = new TrainingState(plan.epochs(), 0, s.round(), s.steps(), s.examples(), s.seconds(), true);
    checkpoint(graph, s, observer);
    return s;
  }

  /**
   * Bytes each round sends to every worker (the parameters and the updater state) and each worker sends back (the
   * same arrays, trained): what sizes the network of a run with many executors.
   */
  public static long roundBytesPerWorker(ComputationGraph graph) {
    return AveragingRound.stateBytes(graph);
  }

  private void checkpoint(ComputationGraph graph, TrainingState s, Observer observer) throws IOException {
    long t0 = System.nanoTime();
    org.apache.hadoop.fs.Path p = store.save(graph, s, extraFactory == null ? null : extraFactory.apply(graph));
    LOG.info("checkpoint {} (round {}, epoch {}, {} examples) in {} s", p, s.round(),
        s.epoch() + (s.finished() ? 0 : 1), s.examples(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
    if (observer != null) observer.afterCheckpoint(s);
  }
}
