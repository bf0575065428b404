package org.tinybert.jobs;

import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.io.OutputHold;
import org.tinybert.training.GeneralDistillation;
import org.tinybert.training.TrainingRun;

/**
 * General distillation (the paper's first stage): a student learns the teacher's embeddings, attention scores and
 * hidden states on a text corpus, data-parallel across executors with parameter averaging. The corpus is tokenized
 * once into instances (reused by later epochs and by reruns); the run checkpoints every few rounds and a rerun of the
 * same command continues from the last checkpoint; the final student is written to {@code <output>/student}.
 */
public final class GeneralDistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(GeneralDistillJob.class);

  /** What a run did. {@code curve} holds (round, probe or training loss) pairs, one per round. */
  public record Summary(String runId, Path student, Path output, long rounds, long examples, boolean resumed,
      boolean alreadyFinished, List<double[]> curve, long instances) {

    public String describe() {
      StringBuilder s = new StringBuilder();
      s.append(alreadyFinished ? "general distillation had already finished: nothing to train\n" : "");
      s.append("student: ").append(student).append('\n');
      s.append(String.format("rounds: %d, examples seen: %d, instances: %d%s%n", rounds, examples, instances,
          resumed ? " (resumed from a checkpoint)" : ""));
      if (!curve.isEmpty()) {
        s.append("loss curve (round: loss):");
        int step = Math.max(1, curve.size() / 10);
        for (int i = 0; i < curve.size(); i += step) {
          s.append(String.format(" %d: %.4f", (long) curve.get(i)[0], curve.get(i)[1]));
        }
        double[] last = curve.get(curve.size() - 1);
        if ((curve.size() - 1) % step != 0) s.append(String.format(" %d: %.4f", (long) last[0], last[1]));
        s.append(String.format("%nloss fell from %.4f to %.4f (%.1fx)", curve.get(0)[1], last[1],
            curve.get(0)[1] / last[1]));
      }
      return s.toString();
    }
  }

  private GeneralDistillJob() {}

  public static Summary run(SparkSession spark, GeneralDistillSettings s) throws IOException {
    return run(spark, s, UnaryOperator.identity());
  }

  /**
   * As {@link #run(SparkSession, GeneralDistillSettings)}; {@code loaderHook} wraps the executors' minibatch loader
   * (tests inject executor failures through it).
   */
  public static Summary run(SparkSession spark, GeneralDistillSettings s, UnaryOperator<MultiDataSetLoader> loaderHook)
      throws IOException {
    LOG.info("general-distill: {}", s);
    // Held before the corpus is tokenized into the output: a second run must not build the same instances beside it.
    try (OutputHold hold = OutputHold.take(spark.sparkContext(), s.output(), s.training().holdStaleAfter())) {
      GeneralDistillation run = GeneralDistillation.prepare(spark, s);
      TrainingRun.Outcome o = run.withLoaderHook(loaderHook).withHold(hold).run(spark);
      return new Summary(o.runId(), o.model(), s.output(), o.rounds(), o.examples(), o.resumed(),
          o.alreadyFinished(), o.curve(), run.instances().counts().instances());
    }
  }
}
