package org.tinybert.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.io.OutputHold;
import org.tinybert.training.GlueStage;
import org.tinybert.training.TaskDistillation;

/**
 * TinyBERT's task-specific distillation on a GLUE task: first the intermediate layers (attention, embedding and
 * hidden losses against a teacher fine-tuned on the task), then the predictions (soft cross-entropy at a temperature;
 * MSE to gold labels for STS-B), scoring dev every few steps and keeping the best student at {@code <output>/best}
 * with {@code best/eval.json} ({@link TaskDistillation}). Each stage is a {@link GlueStage}: data-parallel,
 * checkpointed and resumable.
 */
public final class TaskDistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(TaskDistillJob.class);

  private TaskDistillJob() {}

  /** What the stages did, in order. */
  public record Summary(List<GlueStage.Result> stages, Path trainFile) {
    public String describe() {
      StringBuilder s = new StringBuilder("train: " + trainFile + "\n");
      for (GlueStage.Result r : stages) {
        s.append(r.alreadyFinished() ? "(already finished) " : "").append("final: ").append(r.finalModel());
        r.best().ifPresent(b -> s.append(" | best: ").append(b).append(' ').append(r.bestMetrics()));
        s.append(String.format(" | rounds %d, examples %d%n", r.rounds(), r.examples()));
      }
      return s.toString().trim();
    }

    public GlueStage.Result last() {
      return stages.get(stages.size() - 1);
    }
  }

  public static Summary run(SparkSession spark, TaskDistillSettings s) throws IOException {
    LOG.info("task-distill: {}", s);
    // One hold on the whole output for both stages (the intermediate one writes below it).
    try (OutputHold hold = OutputHold.take(spark.sparkContext(), s.output(), s.prediction().holdStaleAfter())) {
      TaskDistillation distillation = TaskDistillation.prepare(spark, s);
      List<GlueStage.Result> results = new ArrayList<>();
      // Null when the student is cut from the teacher (student = "teacher-layers:...").
      Path student = s.student();
      if (s.runsIntermediate()) {
        GlueStage intermediate = distillation.intermediate();
        intermediate.withHold(hold);
        results.add(intermediate.train(spark));
        student = new Path(distillation.intermediateOutput(), TaskDistillation.STUDENT);
      }
      if (s.runsPrediction()) {
        GlueStage prediction = student == null ? distillation.prediction() : distillation.prediction(student);
        prediction.withHold(hold);
        results.add(prediction.train(spark));
      }
      return new Summary(results, distillation.trainFile());
    }
  }
}
