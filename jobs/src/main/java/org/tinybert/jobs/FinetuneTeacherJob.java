package org.tinybert.jobs;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.training.FineTuning;
import org.tinybert.training.GlueStage;

/**
 * Fine-tunes a BERT on a GLUE task's train.tsv with the label loss (cross-entropy; MSE for STS-B): the teacher of
 * task distillation. Data-parallel with parameter averaging like the distillation jobs, scoring dev on the driver
 * after every epoch and keeping the best as a Hugging Face directory {@code <output>/best} with {@code eval.json}
 * ({@link FineTuning}). A rerun of a finished fine-tune returns what it recorded at once.
 */
public final class FinetuneTeacherJob {
  private static final Logger LOG = LoggerFactory.getLogger(FinetuneTeacherJob.class);

  private FinetuneTeacherJob() {}

  /** What a run did. */
  public record Summary(GlueStage.Result result, long trainExamples, long devExamples) {
    public String describe() {
      GlueStage.Result r = result;
      return (r.alreadyFinished() ? "fine-tuning had already finished: nothing to train\n" : "")
          + "best: " + r.best().map(Path::toString).orElse("-") + " " + r.bestMetrics() + "\n"
          + "final: " + r.finalModel() + "\n"
          + String.format("rounds: %d, examples seen: %d (train %d, dev %d)%s", r.rounds(), r.examples(),
              trainExamples, devExamples, r.resumed() ? " (resumed from a checkpoint)" : "");
    }
  }

  public static Summary run(SparkSession spark, FinetuneTeacherSettings s) throws IOException {
    LOG.info("finetune-teacher: {}", s);
    Optional<FineTuning.Outcome> done = FineTuning.finished(s.output(), spark.sparkContext().hadoopConfiguration());
    if (done.isPresent()) LOG.info("finetune-teacher: {} holds a finished fine-tune: nothing to do", s.output());
    FineTuning.Outcome o = done.isPresent() ? done.get() : FineTuning.run(spark, s);
    return new Summary(o.result(), o.trainExamples(), o.devExamples());
  }
}
