package org.tinybert.training;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.config.TeacherLayersSetting;
import org.tinybert.config.TrainingSettings;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.model.core.BertConfig;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * TinyBERT's task-specific distillation on a task (a GLUE preset or a task file) as two {@link GlueStage}s: the
 * intermediate layers (attention, embedding and hidden losses against a teacher fine-tuned on the task) into
 * {@code <output>/intermediate}, then the predictions (soft cross-entropy at a temperature over the task's labels;
 * MSE to gold labels for regression) from its student, scoring dev and keeping the best. {@link #prepare} checks the
 * teacher and reads the task's files once for both; a task file without labels takes the teacher's.
 */
public final class TaskDistillation {
  /** The intermediate stage's directory under the output, when both stages run. */
  public static final String INTERMEDIATE = "intermediate";
  /** A stage's final student, under its output. */
  public static final String STUDENT = "student";

  private final TaskDistillSettings s;
  private final TaskDefinition task;
  private final HfCheckpoint teacher;
  private final Vocab vocab;
  private final boolean lowerCase;
  private final GlueFeatures features;
  private final Path trainFile;
  private final Path devFile;
  private final List<GlueFeature> train;
  private final List<GlueFeature> dev;
  private final Configuration conf;

  private TaskDistillation(TaskDistillSettings s, TaskDefinition task, HfCheckpoint teacher, Vocab vocab,
      boolean lowerCase, GlueFeatures features, Path trainFile, Path devFile, List<GlueFeature> train,
      List<GlueFeature> dev, Configuration conf) {
    this.s = s;
    this.task = task;
    this.teacher = teacher;
    this.vocab = vocab;
    this.lowerCase = lowerCase;
    this.features = features;
    this.trainFile = trainFile;
    this.devFile = devFile;
    this.train = train;
    this.dev = dev;
    this.conf = conf;
  }

  /**
   * The teacher checked (fine-tuned on the task when the prediction stage runs; its vocabulary, sequence length and
   * casing), and the task's training set (train_aug.tsv when there is one and {@code use-augmented}) and dev set read.
   */
  public static TaskDistillation prepare(SparkSession spark, TaskDistillSettings s) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    HfCheckpoint teacher = HfCheckpoint.load(s.teacher(), conf);
    BertConfig t = teacher.config();
    TaskDefinition task = s.task();
    Path aug = augmented(s, conf);
    boolean useAug = aug != null;
    Split trainSplit = useAug ? Split.TRAIN_AUG : Split.TRAIN;
    Path trainFile = useAug ? aug : null;
    GlueExamples trainExamples = null;
    if (TaskData.needsLabels(task)) {
      // A task file without labels: the teacher fine-tuned on it names them (config.json's id2label), else the
      // training set does, sorted, as finetune-teacher took them.
      if (!TaskData.id2label(t).isEmpty()) {
        task = TaskData.withModelLabels(task, t, s.teacher());
      } else {
        if (trainFile == null) trainFile = TaskData.locate(task, Split.TRAIN, s.taskDir(), conf);
        trainExamples = GlueStage.examples(task, trainSplit, trainFile, conf);
        task = TaskData.withTrainingLabels(task, trainExamples);
      }
    }
    if (s.runsPrediction() && (!teacher.heads().classifier() || teacher.heads().numLabels() != task.numLabels())) {
      throw new InputException("the teacher " + s.teacher() + " must be fine-tuned on " + task
          + " (a classifier with " + task.numLabels() + " label(s)); found " + teacher.heads().numLabels());
    }
    if (s.studentLayers().isPresent()) {
      s.studentLayers().get().checkAgainst(t.numHiddenLayers(), TaskDistillSettings.STUDENT.full(), s.teacher());
    }
    Vocab vocab = Vocab.ofModel(s.teacher(), t.vocabSize(), conf);
    GlueEvaluator.checkConfig(task, s.seqLength(), t.withNumLabels(task.numLabels()), s.teacher());
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), TaskDistillSettings.CASED.full(), s.teacher(),
        conf);
    GlueFeatures features = new GlueFeatures(task, null, new BertTokenizer(vocab, lowerCase), s.seqLength());
    if (trainFile == null) trainFile = TaskData.locate(task, Split.TRAIN, s.taskDir(), conf);
    if (trainExamples == null) trainExamples = GlueStage.examples(task, trainSplit, trainFile, conf);
    List<GlueFeature> train = GlueStage.features(features, trainExamples);
    Path devFile = TaskData.locate(task, Split.DEV, s.taskDir(), conf);
    List<GlueFeature> dev = GlueStage.features(features, GlueStage.examples(task, Split.DEV, devFile, conf));
    return new TaskDistillation(s, task, teacher, vocab, lowerCase, features, trainFile, devFile, train, dev, conf);
  }

  /**
   * The augmented training set when {@code use-augmented} and it exists: a preset's train_aug.tsv in its task
   * directory, a task file's {@code train-aug} table; null otherwise.
   */
  private static Path augmented(TaskDistillSettings s, Configuration conf) {
    if (!s.augmented()) return null;
    Path aug;
    if (s.task() instanceof GlueTask g) {
      aug = new Path(s.taskDir(), g.fileName(Split.TRAIN_AUG));
    } else {
      String p = ((TaskFile) s.task()).trainAug();
      if (p == null) return null;
      aug = new Path(p);
    }
    return HadoopIO.exists(aug, conf) ? aug : null;
  }

  /** The file the stages train on. */
  public Path trainFile() {
    return trainFile;
  }

  /** Where the intermediate stage writes: {@code <output>/intermediate} when the prediction stage follows. */
  public Path intermediateOutput() {
    return s.runsPrediction() ? new Path(s.output(), INTERMEDIATE) : s.output();
  }

  /** The intermediate stage, from the settings' student; its student is {@code intermediateOutput()/student}. */
  public GlueStage intermediate() {
    LossWeights w = LossWeights.intermediate(s.attentionWeight(), s.embeddingWeight(), s.hiddenWeight())
        .forTask(s.temperature(), GlueStage.regression(task));
    return stage("task-distill intermediate", intermediateOutput(), s.student(), w, s.probeExamples(),
        s.intermediate());
  }

  /** The prediction stage from {@code student} (the intermediate stage's, or the settings'), scoring dev. */
  public GlueStage prediction(Path student) {
    LossWeights w = LossWeights.prediction(s.temperature(), GlueStage.regression(task));
    GlueEvaluator evaluator = new GlueEvaluator(features, ClassifierHead.HF, s.evalBatchSize());
    return stage("task-distill prediction", s.output(), student, w, 0, s.prediction())
        .withDevScoring(new GlueStage.DevScoring(evaluator, dev, s.evalEvery()));
  }

  /** The prediction stage from the settings' student: a directory, or one cut from the teacher. */
  public GlueStage prediction() {
    return prediction(s.student());
  }

  /**
   * @param studentDir the student's directory; null for the settings' {@code teacher-layers}: the teacher cut to
   *     those layers, its classifier kept when it has the task's labels
   */
  private GlueStage stage(String job, Path out, Path studentDir, LossWeights w, int probeExamples,
      TrainingSettings training) {
    Optional<TeacherLayersSetting> cut = studentDir == null ? s.studentLayers() : Optional.empty();
    HfCheckpoint ck;
    if (cut.isPresent()) {
      ck = teacher.withLayers(cut.get().zeroBased());
    } else {
      // The student reads the teacher's tokens: a student trained with the other casing is refused.
      TokenizerFiles.lowerCase(lowerCase, "the teacher's casing (do_lower_case " + lowerCase + ")", studentDir,
          conf);
      ck = HfCheckpoint.load(studentDir, conf);
    }
    String studentName = cut.isPresent() ? cut.get().toString() : studentDir.toString();
    int teacherHidden = teacher.config().hiddenSize();
    Heads.Fit fit = ck.heads().fit() == Heads.Fit.NONE ? Heads.Fit.SHARED : ck.heads().fit();
    boolean freshClassifier = !ck.heads().classifier() || ck.heads().numLabels() != task.numLabels();
    StudentSpec spec = GlueStage.classifierSpec(ck, task, freshClassifier, fit, teacherHidden);
    if (w.attention() > 0 && spec.config().numAttentionHeads() != teacher.config().numAttentionHeads()) {
      throw new InputException("attention distillation needs the student's head count ("
          + spec.config().numAttentionHeads() + ", " + studentName + ") to equal the teacher's ("
          + teacher.config().numAttentionHeads() + ", " + s.teacher() + ")");
    }
    StudentFromTeacher.mapping(s.layerMapping(), teacher.config().numHiddenLayers(),
        spec.config().numHiddenLayers(), cut);
    Map<String, INDArray> init = GlueStage.initialWeights(ck, freshClassifier);
    if (cut.isPresent()) init.putAll(spec.identityFit());
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("teacher", s.teacher().toString());
    inputs.put("student", studentName);
    if (cut.isPresent()) inputs.put("student_from", StudentFromTeacher.record(s.teacher(), cut.get()));
    inputs.put("train", trainFile.toString());
    inputs.put("dev", devFile.toString());
    inputs.put("max_seq_length", s.seqLength());
    return new GlueStage(job, out, STUDENT, training, task, train,
        new GlueStage.Student(spec, init, vocab, lowerCase),
        new GlueStage.Losses(s.teacher().toString(), s.layerMapping(), w, probeExamples), inputs);
  }
}
