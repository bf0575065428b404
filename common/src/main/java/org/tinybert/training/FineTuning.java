package org.tinybert.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.distill.StudentSpec;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.run.EvalRecord;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunManifest;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * Fine-tuning a BERT on a task's training set (a GLUE preset's train.tsv or a task file's table) with the label loss
 * (cross-entropy; MSE for regression), the teacher of task distillation, as one {@link GlueStage} that scores dev
 * after every epoch and keeps the best.
 */
public final class FineTuning {
  /** The job's name in manifests. */
  public static final String JOB = "finetune-teacher";
  /** The last model's directory under the output ({@code best/} holds the best). */
  public static final String FINAL = "final";

  /**
   * A fine-tune: its stage's result and the sizes of its training and dev sets.
   */
  public record Outcome(GlueStage.Result result, long trainExamples, long devExamples) {}

  private FineTuning() {}

  /** Checks the model against the task, reads train and dev, and trains (or resumes) the stage. */
  public static Outcome run(SparkSession spark, FinetuneTeacherSettings s) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    HfCheckpoint ck = HfCheckpoint.load(s.model(), conf);
    Vocab vocab = Vocab.ofModel(s.model(), ck.config().vocabSize(), conf);
    TaskDefinition task = s.task();
    GlueExamples trainExamples = null;
    if (TaskData.needsLabels(task)) {
      // A task file without labels: they are the training set's, so it is read before the model is checked.
      trainExamples = GlueStage.examples(task, Split.TRAIN, TaskData.locate(task, Split.TRAIN, s.taskDir(), conf),
          conf);
      task = TaskData.withTrainingLabels(task, trainExamples);
    }
    GlueEvaluator.checkConfig(task, s.seqLength(), ck.config().withNumLabels(task.numLabels()), s.model());
    boolean fresh = s.newClassifier() || !ck.heads().classifier();
    StudentSpec spec = GlueStage.classifierSpec(ck, task, fresh, Heads.Fit.NONE, 0);

    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), FinetuneTeacherSettings.CASED.full(), s.model(),
        conf);
    GlueFeatures features = new GlueFeatures(task, null, new BertTokenizer(vocab, lowerCase), s.seqLength());
    Path train = TaskData.locate(task, Split.TRAIN, s.taskDir(), conf);
    Path devFile = TaskData.locate(task, Split.DEV, s.taskDir(), conf);
    if (trainExamples == null) trainExamples = GlueStage.examples(task, Split.TRAIN, train, conf);
    List<GlueFeature> trainSet = GlueStage.features(features, trainExamples);
    List<GlueFeature> dev = GlueStage.features(features, GlueStage.examples(task, Split.DEV, devFile, conf));

    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("model", s.model().toString());
    inputs.put("train", train.toString());
    inputs.put("dev", devFile.toString());
    inputs.put("max_seq_length", s.seqLength());
    inputs.put("new_classifier", fresh);
    GlueStage stage = new GlueStage(JOB, s.output(), FINAL, s.training(), task, trainSet,
        new GlueStage.Student(spec, GlueStage.initialWeights(ck, fresh), vocab, lowerCase),
        GlueStage.Losses.labelsOnly(task), inputs)
        .withDevScoring(new GlueStage.DevScoring(new GlueEvaluator(features, ClassifierHead.HF, s.evalBatchSize()),
            dev, 0));
    return new Outcome(stage.train(spark), trainSet.size(), dev.size());
  }

  /**
   * The outcome of a finished fine-tune in {@code output}, read from what the run left, without loading the model or
   * the task's files: a scheduler's rerun of a finished step returns at once. Finished means the manifest of a
   * finetune-teacher run records its end ({@code finished_at}, written after the final and best models were saved;
   * every run rewrites the manifest without it first) and both models are there. A finished output is never trained
   * again, as {@link GlueStage#train} has it.
   */
  public static Optional<Outcome> finished(Path output, Configuration conf) throws IOException {
    Path manifest = new Path(output, RunFiles.MANIFEST);
    Path finalModel = new Path(output, FINAL);
    Path best = new Path(output, RunFiles.BEST);
    Path eval = new Path(best, RunFiles.EVAL);
    if (!HadoopIO.exists(manifest, conf)) return Optional.empty();
    JsonNode m = new ObjectMapper().readTree(HadoopIO.readAll(manifest, conf));
    RunManifest.Header h;
    try {
      h = RunManifest.header(m);
    } catch (MismatchedInputException notOurs) {
      return Optional.empty();
    }
    if (!JOB.equals(h.job()) || h.finished().isEmpty() || !HadoopIO.exists(eval, conf)
        || !HadoopIO.exists(new Path(finalModel, HfCheckpoint.CONFIG_FILE), conf)
        || !HadoopIO.exists(new Path(best, HfCheckpoint.CONFIG_FILE), conf)) {
      return Optional.empty();
    }
    EvalRecord e = EvalRecord.parse(HadoopIO.readAll(eval, conf));
    GlueStage.Result r = new GlueStage.Result(h.runId() == null ? "" : h.runId(), finalModel, Optional.of(best),
        new LinkedHashMap<>(e.metrics()), h.rounds() == null ? 0 : h.rounds(),
        h.examplesSeen() == null ? 0 : h.examplesSeen(), true, true, List.of());
    return Optional.of(new Outcome(r, m.path("train_examples").asLong(), e.devExamples()));
  }
}
