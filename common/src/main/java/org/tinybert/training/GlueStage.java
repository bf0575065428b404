package org.tinybert.training;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.config.TrainingSettings;
import org.tinybert.corpus.GlueMinibatchExporter;
import org.tinybert.corpus.MinibatchExport;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.model.core.BertConfig;
import org.tinybert.scoring.GlueEvaluation;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.TrainingState;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.run.EvalRecord;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunManifest;
import org.tinybert.text.Vocab;

/**
 * One training stage on a task's labelled examples (a GLUE preset's or a task file's; fine-tuning a teacher; either
 * stage of task distillation): the {@link TrainingRun} with labelled minibatch files per epoch and, when dev scoring is
 * given, dev scored on the driver after every epoch and every {@code evalEverySteps}, the best student kept at
 * {@code <output>/best} with {@code best/eval.json} (the task's metrics, and {@code best-by} as its primary metric).
 */
public final class GlueStage extends TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(GlueStage.class);

  /**
   * The model a stage trains.
   *
   * @param init its starting weights by HF name; parameters missing here start fresh (BERT's initialisation)
   * @param vocab and {@code lowerCase}: the tokenizer it reads, written beside every copy of it
   */
  public record Student(StudentSpec spec, Map<String, INDArray> init, Vocab vocab, boolean lowerCase) {}

  /**
   * What the student learns from.
   *
   * @param teacher the teacher's directory, or null when the losses need none (the label loss only)
   * @param probeExamples with a teacher and intermediate losses: the first training examples whose losses
   *     ({@link ProbeLosses}) are recorded after every round; 0 = none
   */
  public record Losses(String teacher, LayerMappingSetting layerMapping, LossWeights weights, int probeExamples) {
    /** The gold labels' loss alone (cross-entropy; MSE for regression): fine-tuning. */
    public static Losses labelsOnly(TaskDefinition task) {
      return new Losses(null, LayerMappingSetting.UNIFORM, LossWeights.labelsOnly(regression(task)), 0);
    }
  }

  /**
   * Dev scoring.
   *
   * @param evalEverySteps optimiser steps between scorings besides each epoch's end; 0 = at epoch ends only
   */
  public record DevScoring(GlueEvaluator evaluator, List<GlueFeature> dev, int evalEverySteps) {}

  /** What a stage did. {@code evaluations} holds (step, primary metric) pairs of this run's dev scorings. */
  public record Result(String runId, Path finalModel, Optional<Path> best, Map<String, Double> bestMetrics,
      long rounds, long examples, boolean resumed, boolean alreadyFinished, List<double[]> evaluations) {}

  private final String modelName;
  private final TaskDefinition task;
  private final List<GlueFeature> train;
  private final Student student;
  private final Losses losses;
  private final Map<String, Object> inputs;
  private final Path bestDir;
  private DevScoring dev;
  private double best;
  private Map<String, Double> bestMetrics = Map.of();
  private final List<double[]> evaluations = new ArrayList<>();

  /**
   * @param modelName the directory under {@code output} the last student is written to
   * @param inputs the manifest's record of what the stage read
   */
  public GlueStage(String job, Path output, String modelName, TrainingSettings training, TaskDefinition task,
      List<GlueFeature> train, Student student, Losses losses, Map<String, Object> inputs) {
    super(job, output, training);
    this.modelName = modelName;
    this.task = task;
    this.train = train;
    this.student = student;
    this.losses = losses;
    this.inputs = inputs;
    this.bestDir = new Path(output, RunFiles.BEST);
  }

  public GlueStage withDevScoring(DevScoring scoring) {
    this.dev = scoring;
    return this;
  }

  /** Trains the stage (or continues it, or finds it finished) and reads back its best dev metrics. */
  public Result train(SparkSession spark) throws IOException {
    best = bestSoFar(bestDir, spark.sparkContext().hadoopConfiguration());
    Outcome o = run(spark);
    return new Result(o.runId(), o.model(), dev == null ? Optional.empty() : Optional.of(bestDir), bestMetrics,
        o.rounds(), o.examples(), o.resumed(), o.alreadyFinished(), evaluations);
  }

  /** A task's labelled examples of one split as features (the file is given, e.g. train_aug.tsv). */
  public static List<GlueFeature> features(GlueFeatures f, Split split, Path file, Configuration conf)
      throws IOException {
    return features(f, examples(f.task(), split, file, conf));
  }

  /** Examples read as features. */
  public static List<GlueFeature> features(GlueFeatures f, GlueExamples ex) {
    return f.encodeAll(ex.examples());
  }

  /**
   * A task's labelled examples of one split (a preset's file or a task file's table); none at all is an error, and
   * skipped bad rows are logged with their count.
   */
  public static GlueExamples examples(TaskDefinition task, Split split, Path file, Configuration conf)
      throws IOException {
    GlueExamples ex = TaskData.read(task, split, file, conf);
    if (ex.size() == 0) throw new InputException(file + ": no examples of " + task);
    if (ex.skipped() > 0) {
      LOG.warn("{}: {} bad rows skipped, the first: {}", file, ex.skipped(), ex.skippedReasons());
    }
    return ex;
  }

  public static boolean regression(TaskDefinition task) {
    return task.outputMode() == OutputMode.REGRESSION;
  }

  /**
   * The student of a checkpoint made a sequence classifier for {@code task}: pooler and classifier kept when present
   * with the task's label count, added fresh when absent (or when {@code fresh}); the MLM head is dropped.
   */
  public static StudentSpec classifierSpec(HfCheckpoint ck, TaskDefinition task, boolean fresh, Heads.Fit fit,
      int fitSize) {
    Heads h = ck.heads();
    if (h.classifier() && h.numLabels() != task.numLabels() && !fresh) {
      throw new InputException("the model at " + ck.source() + " has a classifier with " + h.numLabels()
          + " label(s) but " + task + " needs " + task.numLabels() + "; set new-classifier = true to replace it");
    }
    Heads out = new Heads(true, task.numLabels(), false, false, fit, fitSize);
    BertConfig config = ck.config().withNumLabels(task.numLabels()).withFitSize(fitSize);
    // A task file's label names go into config.json (GLUE's presets keep Hugging Face's LABEL_i, as before).
    if (task instanceof TaskFile && task.outputMode() == OutputMode.CLASSIFICATION) {
      config = config.withLabelNames(task.labels());
    }
    return new StudentSpec(config, out);
  }

  /** The checkpoint's weights that the student keeps (a fresh classifier drops the old one). */
  public static Map<String, INDArray> initialWeights(HfCheckpoint ck, boolean freshClassifier) {
    Map<String, INDArray> w = new LinkedHashMap<>(ck.weights());
    if (freshClassifier) {
      w.remove(HfNames.weight(HfNames.CLASSIFIER));
      w.remove(HfNames.bias(HfNames.CLASSIFIER));
    }
    return w;
  }

  // ---- the pieces of the run ----

  @Override
  protected long batchesPerEpoch() {
    return (train.size() + training.batchSize() - 1) / training.batchSize();
  }

  @Override
  protected String describeData() {
    return "the training set holds " + train.size() + " examples";
  }

  @Override
  protected MinibatchExport export(int epoch) throws IOException {
    return GlueMinibatchExporter.export(train, regression(task), new Path(output, "data"), epoch,
        training.batchSize(), training.seed(), conf);
  }

  @Override
  protected ComputationGraph newGraph(long totalSteps) {
    DistillationLayer layer = DistillationLayer.forTraining(student.spec(), losses.teacher(), losses.layerMapping(),
        losses.weights(), training, totalSteps, train.get(0).maxSeqLength());
    ComputationGraph graph = DistillationGraph.create(layer, training.seed());
    List<String> fresh = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : DistillationGraph.studentWeights(graph).entrySet()) {
      INDArray src = student.init().get(e.getKey());
      if (src == null) {
        fresh.add(e.getKey());
      } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
        throw new InputException("weight " + e.getKey() + " has shape " + Arrays.toString(src.shape())
            + ", the student needs " + Arrays.toString(e.getValue().shape()));
      } else {
        e.getValue().assign(src.castTo(e.getValue().dataType()));
      }
    }
    if (!fresh.isEmpty()) LOG.info("{}: initialised fresh: {}", job, fresh);
    return graph;
  }

  @Override
  protected void save(ComputationGraph g, Path dir) {
    HfCheckpoint.save(dir, student.spec().config(), DistillationGraph.studentWeights(g), student.vocab().tokens(),
        student.lowerCase(), conf);
  }

  @Override
  protected String modelName() {
    return modelName;
  }

  @Override
  protected Map<String, Object> manifest() {
    StudentSpec spec = student.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", task.taskName());
    m.put("inputs", inputs);
    m.put("training", json(training));
    m.put("losses", json(losses.weights()));
    m.put("train_examples", train.size());
    m.put("student", Map.of("layers", spec.config().numHiddenLayers(), "hidden", spec.config().hiddenSize(),
        "labels", spec.config().numLabels(), "parameters", spec.layout().size()));
    return m;
  }

  @Override
  protected ProbeLosses probe(MinibatchExport first) {
    LossWeights w = losses.weights();
    if (losses.probeExamples() == 0 || losses.teacher() == null || w.attention() + w.embedding() + w.hidden() == 0) {
      return null;
    }
    LayerMapping mapping = LayerMapping.of(losses.layerMapping(),
        ExecutorRuntime.model(losses.teacher()).model().config().numHiddenLayers(),
        student.spec().config().numHiddenLayers());
    return new ProbeLosses(ProbeLosses.batch(train, losses.probeExamples()), losses.teacher(), student.spec(),
        new DistillationLoss(mapping, w, training.engine().resolve()));
  }

  /** Dev, at each epoch's end and every {@code evalEverySteps}; a new best is saved at once. */
  @Override
  protected Optional<Scoring> score(ComputationGraph g, ParameterAveragingTrainer.Round round) throws IOException {
    if (dev == null) return Optional.empty();
    TrainingState st = round.state();
    boolean epochEnd = st.batchesDone() >= round.batchesThisEpoch();
    long stepsBefore = st.steps() - round.steps();
    int every = dev.evalEverySteps();
    boolean due = every > 0 && st.steps() / every > stepsBefore / every;
    if (!epochEnd && !due) return Optional.empty();
    GlueEvaluation ev = dev.evaluator().evaluateFeatures(model(g), dev.dev());
    evaluations.add(new double[] {st.steps(), ev.primary()});
    String line = String.format(" | dev %s %.4f", task.primaryMetric(), ev.primary());
    boolean newBest = ev.primary() > best || Double.isNaN(best);
    if (newBest) {
      best = ev.primary();
      saveBest(g, ev, st);
      line += " (new best)";
    }
    return Optional.of(new Scoring(ev.metrics(), newBest, line));
  }

  @Override
  protected void finish(ComputationGraph g, TrainingState state, Path model, RunManifest manifest)
      throws IOException {
    super.finish(g, state, model, manifest);
    if (dev == null) return;
    if (!HadoopIO.exists(new Path(bestDir, RunFiles.EVAL), conf)) {
      // No scoring happened in this run (too few rounds): the final model is the best there is.
      saveBest(g, dev.evaluator().evaluateFeatures(model(g), dev.dev()), state);
    }
    bestMetrics = metrics(bestDir, conf);
    manifest.put(RunManifest.BEST, bestDir.toString());
    manifest.put(RunManifest.BEST_METRICS, bestMetrics);
  }

  private BertModel model(ComputationGraph g) {
    return new BertModel(student.spec().config(), DistillationGraph.studentWeights(g), training.engine().resolve());
  }

  /** The best score a previous run of this output recorded, or NaN. */
  private static double bestSoFar(Path bestDir, Configuration conf) throws IOException {
    Path f = new Path(bestDir, RunFiles.EVAL);
    if (!HadoopIO.exists(f, conf)) return Double.NaN;
    return EvalRecord.parse(HadoopIO.readAll(f, conf)).primary();
  }

  private static Map<String, Double> metrics(Path bestDir, Configuration conf) throws IOException {
    return new LinkedHashMap<>(EvalRecord.parse(HadoopIO.readAll(new Path(bestDir, RunFiles.EVAL), conf)).metrics());
  }

  /** Model and eval.json written together into a temporary sibling, then renamed over {@code best}. */
  private void saveBest(ComputationGraph g, GlueEvaluation ev, TrainingState st) throws IOException {
    EvalRecord eval = new EvalRecord(task.taskName(), task.primaryMetric(), ev.primary(), ev.metrics(), ev.size(),
        st.epoch() + (st.finished() ? 0 : 1), st.steps(), st.round(), st.examples());
    checkHold();
    FileSystem fs = HadoopIO.fs(bestDir, conf);
    Path tmp = new Path(bestDir.getParent(), "." + RunFiles.BEST + "." + UUID.randomUUID() + ".tmp");
    try {
      save(g, tmp);
      HadoopIO.writeAtomically(new Path(tmp, RunFiles.EVAL), conf, eval.toBytes());
      checkHold();
      if (fs.exists(bestDir) && !fs.delete(bestDir, true)) throw new IOException("cannot replace " + bestDir);
      if (!fs.rename(tmp, bestDir)) throw new IOException("cannot rename " + tmp + " to " + bestDir);
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, true);
    }
    LOG.info("{}: new best {} {} at step {} -> {}", job, task.primaryMetric(), ev.primary(), st.steps(), bestDir);
  }
}
