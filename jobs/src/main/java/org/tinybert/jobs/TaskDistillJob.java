package org.tinybert.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.config.TrainingSettings;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.glue.GlueEvaluator;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.Split;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.model.BertConfig;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;
import org.tinybert.training.GlueStage;

/**
 * TinyBERT's task-specific distillation on a GLUE task: first the intermediate layers (attention, embedding and
 * hidden losses against a teacher fine-tuned on the task), then the predictions (soft cross-entropy at a temperature;
 * MSE to gold labels for STS-B), scoring dev every few steps and keeping the best student at {@code <output>/best}
 * with {@code best/eval.json}. Each stage is a {@link GlueStage}: data-parallel, checkpointed and resumable.
 */
public final class TaskDistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(TaskDistillJob.class);
  static final String INTERMEDIATE = "intermediate";
  static final String STUDENT = "student";

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
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    LOG.info("task-distill: {}", s);
    HfCheckpoint teacher = HfCheckpoint.load(s.teacher(), conf);
    BertConfig t = teacher.config();
    if (s.runsPrediction() && (!teacher.heads().classifier() || teacher.heads().numLabels() != s.task().numLabels())) {
      throw new InputException("the teacher " + s.teacher() + " must be fine-tuned on " + s.task()
          + " (a classifier with " + s.task().numLabels() + " label(s)); found " + teacher.heads().numLabels());
    }
    Vocab vocab = Vocab.ofModel(s.teacher(), t.vocabSize(), conf);
    GlueEvaluator.checkConfig(s.task(), s.seqLength(), t.withNumLabels(s.task().numLabels()), s.teacher());
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), TaskDistillSettings.ROOT + ".cased", s.teacher(),
        conf);
    GlueFeatures features = new GlueFeatures(s.task(), null, new BertTokenizer(vocab, lowerCase), s.seqLength());
    Path aug = new Path(s.taskDir(), s.task().fileName(Split.TRAIN_AUG));
    boolean useAug = s.augmented() && HadoopIO.exists(aug, conf);
    Path trainFile = useAug ? aug : s.task().locate(s.taskDir(), Split.TRAIN, conf);
    List<GlueFeature> train = GlueStage.features(features, useAug ? Split.TRAIN_AUG : Split.TRAIN, trainFile, conf);
    Path devFile = s.task().locate(s.taskDir(), Split.DEV, conf);
    List<GlueFeature> dev = GlueStage.features(features, Split.DEV, devFile, conf);
    boolean regression = GlueStage.regression(s.task());

    List<GlueStage.Result> results = new ArrayList<>();
    Path student = s.student();
    if (s.runsIntermediate()) {
      Path out = s.runsPrediction() ? new Path(s.output(), INTERMEDIATE) : s.output();
      LossWeights w = LossWeights.intermediate(s.attentionWeight(), s.embeddingWeight(), s.hiddenWeight())
          .forTask(s.temperature(), regression);
      results.add(stage("task-distill intermediate", out, student, teacher, w, s.probeExamples(), s, s.intermediate(),
          train, vocab, lowerCase, trainFile, devFile, conf).train(spark));
      student = new Path(out, STUDENT);
    }
    if (s.runsPrediction()) {
      LossWeights w = LossWeights.prediction(s.temperature(), regression);
      GlueEvaluator evaluator = new GlueEvaluator(features, ClassifierHead.HF, s.evalBatchSize());
      results.add(stage("task-distill prediction", s.output(), student, teacher, w, 0, s, s.prediction(), train, vocab,
          lowerCase, trainFile, devFile, conf)
          .withDevScoring(new GlueStage.DevScoring(evaluator, dev, s.evalEvery())).train(spark));
    }
    return new Summary(results, trainFile);
  }

  private static GlueStage stage(String job, Path out, Path studentDir, HfCheckpoint teacher, LossWeights w,
      int probeExamples, TaskDistillSettings s, TrainingSettings training, List<GlueFeature> train, Vocab vocab,
      boolean lowerCase, Path trainFile, Path devFile, Configuration conf) {
    // The student reads the teacher's tokens: a student trained with the other casing is refused.
    TokenizerFiles.lowerCase(lowerCase, "the teacher's casing (do_lower_case " + lowerCase + ")", studentDir, conf);
    HfCheckpoint ck = HfCheckpoint.load(studentDir, conf);
    int teacherHidden = teacher.config().hiddenSize();
    Heads.Fit fit = ck.heads().fit() == Heads.Fit.NONE ? Heads.Fit.SHARED : ck.heads().fit();
    boolean freshClassifier = !ck.heads().classifier() || ck.heads().numLabels() != s.task().numLabels();
    StudentSpec spec = GlueStage.classifierSpec(ck, s.task(), freshClassifier, fit, teacherHidden);
    if (w.attention() > 0 && spec.config().numAttentionHeads() != teacher.config().numAttentionHeads()) {
      throw new InputException("attention distillation needs the student's head count ("
          + spec.config().numAttentionHeads() + ", " + studentDir + ") to equal the teacher's ("
          + teacher.config().numAttentionHeads() + ", " + s.teacher() + ")");
    }
    LayerMapping.of(s.layerMapping(), teacher.config().numHiddenLayers(), spec.config().numHiddenLayers());
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("teacher", s.teacher().toString());
    inputs.put("student", studentDir.toString());
    inputs.put("train", trainFile.toString());
    inputs.put("dev", devFile.toString());
    inputs.put("max_seq_length", s.seqLength());
    return new GlueStage(job, out, STUDENT, training, s.task(), train,
        new GlueStage.Student(spec, GlueStage.initialWeights(ck, freshClassifier), vocab, lowerCase),
        new GlueStage.Losses(s.teacher().toString(), s.layerMapping(), w, probeExamples), inputs);
  }
}
