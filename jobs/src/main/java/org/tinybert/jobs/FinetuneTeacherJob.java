package org.tinybert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.distill.StudentSpec;
import org.tinybert.glue.GlueEvaluator;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.Split;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.RunLog;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;
import org.tinybert.training.GlueStage;

/**
 * Fine-tunes a BERT on a GLUE task's train.tsv with the label loss (cross-entropy; MSE for STS-B): the teacher of
 * task distillation. Data-parallel with parameter averaging like the distillation jobs, scoring dev on the driver
 * after every epoch and keeping the best as a Hugging Face directory {@code <output>/best} with {@code eval.json}.
 */
public final class FinetuneTeacherJob {
  private static final Logger LOG = LoggerFactory.getLogger(FinetuneTeacherJob.class);
  static final String FINAL = "final";

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
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    LOG.info("finetune-teacher: {}", s);
    Optional<Summary> done = finished(s.output(), conf);
    if (done.isPresent()) {
      LOG.info("finetune-teacher: {} holds a finished fine-tune: nothing to do", s.output());
      return done.get();
    }
    HfCheckpoint ck = HfCheckpoint.load(s.model(), conf);
    Vocab vocab = Vocab.ofModel(s.model(), ck.config().vocabSize(), conf);
    GlueEvaluator.checkConfig(s.task(), s.seqLength(), ck.config().withNumLabels(s.task().numLabels()), s.model());
    boolean fresh = s.newClassifier() || !ck.heads().classifier();
    StudentSpec spec = GlueStage.classifierSpec(ck, s.task(), fresh, Heads.Fit.NONE, 0);

    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), FinetuneTeacherSettings.ROOT + ".cased", s.model(),
        conf);
    GlueFeatures features = new GlueFeatures(s.task(), null, new BertTokenizer(vocab, lowerCase), s.seqLength());
    Path train = s.task().locate(s.taskDir(), Split.TRAIN, conf);
    Path devFile = s.task().locate(s.taskDir(), Split.DEV, conf);
    List<GlueFeature> trainSet = GlueStage.features(features, Split.TRAIN, train, conf);
    List<GlueFeature> dev = GlueStage.features(features, Split.DEV, devFile, conf);

    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("model", s.model().toString());
    inputs.put("train", train.toString());
    inputs.put("dev", devFile.toString());
    inputs.put("max_seq_length", s.seqLength());
    inputs.put("new_classifier", fresh);
    GlueStage stage = new GlueStage("finetune-teacher", s.output(), FINAL, s.training(), s.task(), trainSet,
        new GlueStage.Student(spec, GlueStage.initialWeights(ck, fresh), vocab, lowerCase),
        GlueStage.Losses.labelsOnly(s.task()), inputs)
        .withDevScoring(new GlueStage.DevScoring(new GlueEvaluator(features, ClassifierHead.HF, s.evalBatchSize()),
            dev, 0));
    return new Summary(stage.train(spark), trainSet.size(), dev.size());
  }

  /**
   * The summary of a finished fine-tune in {@code output}, read from what the run left, without loading the model or
   * the task's files: a scheduler's rerun of a finished step returns at once. Finished means the manifest of a
   * finetune-teacher run records its end ({@code finished_at}, written after the final and best models were saved;
   * every run rewrites the manifest without it first) and both models are there. A finished output is never trained
   * again, as {@link GlueStage#train} has it.
   */
  static Optional<Summary> finished(Path output, Configuration conf) throws IOException {
    Path manifest = new Path(output, RunLog.MANIFEST);
    Path finalModel = new Path(output, FINAL);
    Path best = new Path(output, GlueStage.BEST);
    Path eval = new Path(best, GlueStage.EVAL_JSON);
    if (!HadoopIO.exists(manifest, conf)) return Optional.empty();
    ObjectMapper json = new ObjectMapper();
    JsonNode m = json.readTree(HadoopIO.readAll(manifest, conf));
    if (!"finetune-teacher".equals(m.path("job").asText()) || !m.has("finished_at") || !HadoopIO.exists(eval, conf)
        || !HadoopIO.exists(new Path(finalModel, HfCheckpoint.CONFIG_FILE), conf)
        || !HadoopIO.exists(new Path(best, HfCheckpoint.CONFIG_FILE), conf)) {
      return Optional.empty();
    }
    JsonNode e = json.readTree(HadoopIO.readAll(eval, conf));
    Map<String, Double> metrics = new LinkedHashMap<>();
    e.get("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
    GlueStage.Result r = new GlueStage.Result(m.path("run_id").asText(), finalModel, Optional.of(best), metrics,
        m.path("rounds").asLong(), m.path("examples_seen").asLong(), true, true, List.of());
    return Optional.of(new Summary(r, m.path("train_examples").asLong(), e.path("dev_examples").asLong()));
  }
}
