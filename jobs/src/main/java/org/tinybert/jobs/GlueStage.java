package org.tinybert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TrainingSettings;
import org.tinybert.corpus.GlueMinibatchExporter;
import org.tinybert.corpus.MinibatchExport;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.distill.TeacherCache;
import org.tinybert.glue.GlueEvaluation;
import org.tinybert.glue.GlueEvaluator;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.io.CheckpointStore;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.RunLog;
import org.tinybert.io.TrainingState;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.spark.ParameterAveragingTrainer;
import org.tinybert.text.Vocab;

/**
 * One training stage on a GLUE task's labelled examples, shared by {@link FinetuneTeacherJob} and
 * {@link TaskDistillJob}: labelled minibatch files per epoch, the student in a {@link DistillationLayer} trained with
 * parameter averaging, checkpoints and resume, metrics.jsonl and manifest.json, and (when a dev set is given) dev
 * scoring on the driver with the best checkpoint kept at {@code <output>/best} with {@code best/eval.json}.
 */
final class GlueStage {
  private static final Logger LOG = LoggerFactory.getLogger(GlueStage.class);
  static final String BEST = "best";
  static final String EVAL_JSON = "eval.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What to train.
   *
   * @param init the student's starting weights by HF name; student parameters missing here start fresh (BERT init)
   * @param teacher the teacher's directory, or null when the losses need none (label loss only)
   * @param dev dev features to score after every epoch and every {@code evalEverySteps}; null = no scoring
   * @param evalEverySteps optimiser steps between dev scorings besides each epoch's end; 0 = at epoch ends only
   * @param finalName the directory under {@code output} the last student is written to
   * @param probeExamples with a teacher and intermediate losses: the first training examples whose losses
   *     ({@link ProbeLosses}) are recorded after every round; 0 = none
   */
  record Spec(String job, Path output, StudentSpec student, Map<String, INDArray> init, String teacher,
      String layerMapping, LossWeights weights, TrainingSettings training, List<GlueFeature> train, GlueTask task,
      GlueEvaluator evaluator, List<GlueFeature> dev, int evalEverySteps, Vocab vocab, boolean lowerCase,
      String finalName, Map<String, Object> inputs, int probeExamples) {}

  /** What a stage did. {@code evaluations} holds (step, primary metric) pairs of this run's dev scorings. */
  record Result(String runId, Path finalModel, Optional<Path> best, Map<String, Double> bestMetrics, long rounds,
      long examples, boolean resumed, boolean alreadyFinished, List<double[]> evaluations) {}

  private GlueStage() {}

  /** A task's labelled examples of one split as features (the file is given, e.g. train_aug.tsv). */
  static List<GlueFeature> features(GlueFeatures f, Split split, Path file, Configuration conf) throws IOException {
    GlueExamples ex = GlueReader.read(f.task(), split, file, conf);
    if (ex.size() == 0) throw new InputException(file + ": no examples of " + f.task());
    if (ex.skipped() > 0) LOG.warn("{}: {} malformed rows skipped", file, ex.skipped());
    return f.encodeAll(ex.examples());
  }

  static boolean regression(GlueTask task) {
    return task.outputMode() == OutputMode.REGRESSION;
  }

  /**
   * The student of a checkpoint made a sequence classifier for {@code task}: pooler and classifier kept when present
   * with the task's label count, added fresh when absent (or when {@code fresh}); the MLM head is dropped.
   */
  static StudentSpec classifierSpec(HfCheckpoint ck, GlueTask task, boolean fresh, Heads.Fit fit, int fitSize) {
    Heads h = ck.heads();
    if (h.classifier() && h.numLabels() != task.numLabels() && !fresh) {
      throw new InputException("the model at " + ck.source() + " has a classifier with " + h.numLabels()
          + " label(s) but " + task + " needs " + task.numLabels() + "; set new-classifier = true to replace it");
    }
    Heads out = new Heads(true, task.numLabels(), false, false, fit, fitSize);
    return new StudentSpec(ck.config().withNumLabels(task.numLabels()).withFitSize(fitSize), out);
  }

  /** The checkpoint's weights that the student keeps (a fresh classifier drops the old one). */
  static Map<String, INDArray> initialWeights(HfCheckpoint ck, boolean freshClassifier) {
    Map<String, INDArray> w = new LinkedHashMap<>(ck.weights());
    if (freshClassifier) {
      w.remove(HfNames.weight(HfNames.CLASSIFIER));
      w.remove(HfNames.bias(HfNames.CLASSIFIER));
    }
    return w;
  }

  static Result run(SparkSession spark, Spec s) throws IOException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    TrainingSettings t = s.training();
    boolean regression = regression(s.task());
    int workers = t.workers() > 0 ? t.workers() : jsc.defaultParallelism();
    long batchesPerEpoch = s.train().size() / t.batchSize();
    if (batchesPerEpoch == 0) {
      throw new InputException(s.job() + ": the " + s.train().size() + " training examples are fewer than "
          + "one minibatch of " + t.batchSize());
    }
    long totalSteps = (batchesPerEpoch + workers - 1) / workers * t.epochs();
    ParameterAveragingTrainer.Plan plan = new ParameterAveragingTrainer.Plan(workers, t.batchSize(),
        t.averagingFrequency(), t.epochs(), t.checkpointEvery(), t.seed());
    CheckpointStore store = new CheckpointStore(s.output(), conf, t.keepCheckpoints());
    Optional<CheckpointStore.Restored> last = store.restoreLatest();
    ComputationGraph graph;
    TrainingState state;
    if (last.isPresent()) {
      graph = last.get().graph();
      state = last.get().checkpoint().state();
      LOG.info("{}: resuming from {} (round {}, epoch {})", s.job(), last.get().checkpoint().dir(), state.round(),
          state.epoch() + 1);
    } else {
      DistillationLayer layer = new DistillationLayer(s.student(), s.teacher(), s.layerMapping(), s.weights(),
          t.updater(totalSteps), t.weightDecay(), t.clipMode(), t.clipThreshold(), t.seed(),
          s.train().get(0).maxSeqLength()).withDropout(t.dropout(s.student().config())).withEngine(t.engine());
      graph = DistillationGraph.create(layer, t.seed());
      List<String> fresh = new ArrayList<>();
      Map<String, INDArray> views = DistillationGraph.studentWeights(graph);
      for (Map.Entry<String, INDArray> e : views.entrySet()) {
        INDArray src = s.init().get(e.getKey());
        if (src == null) {
          fresh.add(e.getKey());
        } else if (!java.util.Arrays.equals(src.shape(), e.getValue().shape())) {
          throw new InputException("weight " + e.getKey() + " has shape "
              + java.util.Arrays.toString(src.shape()) + ", the student needs "
              + java.util.Arrays.toString(e.getValue().shape()));
        } else {
          e.getValue().assign(src.castTo(e.getValue().dataType()));
        }
      }
      if (!fresh.isEmpty()) LOG.info("{}: initialised fresh: {}", s.job(), fresh);
      state = TrainingState.start();
    }
    boolean alreadyFinished = state.finished();

    RunLog log = new RunLog(s.output(), conf, state.round());
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("job", s.job());
    manifest.put("run_id", runId);
    manifest.put("started_at", Instant.now().toString());
    manifest.put("spark_application_id", spark.sparkContext().applicationId());
    manifest.put("spark_master", spark.sparkContext().master());
    manifest.put("resumed_at_round", state.round());
    manifest.put("engine", t.engine().describe());
    manifest.put("task", s.task().taskName());
    manifest.put("inputs", s.inputs());
    manifest.put("training", JSON.valueToTree(t));
    manifest.put("losses", JSON.valueToTree(s.weights()));
    manifest.put("train_examples", s.train().size());
    manifest.put("student", Map.of("layers", s.student().config().numHiddenLayers(), "hidden",
        s.student().config().hiddenSize(), "labels", s.student().config().numLabels(), "parameters",
        s.student().layout().size()));
    manifest.put("plan", JSON.valueToTree(plan));
    manifest.put("round_bytes_per_worker", ParameterAveragingTrainer.roundBytesPerWorker(graph));
    log.writeManifest(manifest);

    ProbeLosses probe = null;
    LossWeights w = s.weights();
    if (s.probeExamples() > 0 && s.teacher() != null && w.attention() + w.embedding() + w.hidden() > 0) {
      LayerMapping mapping = LayerMapping.parse(s.layerMapping(), TeacherCache.get(s.teacher()).config()
          .numHiddenLayers(), s.student().config().numHiddenLayers());
      probe = new ProbeLosses(ProbeLosses.batch(s.train(), s.probeExamples()), s.teacher(), s.student(),
          new DistillationLoss(mapping, w, t.engine().resolve()));
    }
    final ProbeLosses probeLosses = probe;

    Path bestDir = new Path(s.output(), BEST);
    double[] best = {bestSoFar(bestDir, conf)};
    List<double[]> evaluations = new ArrayList<>();
    Map<Integer, MinibatchExport> exports = new LinkedHashMap<>();
    Path dataDir = new Path(s.output(), "data");
    ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(jsc, plan, store,
        g -> dir -> save(g, s, new Path(dir, s.finalName()), conf));
    long startNanos = System.nanoTime();
    long startExamples = state.examples();
    state = trainer.train(graph, state, epoch -> {
      MinibatchExport e = exports.computeIfAbsent(epoch, ep -> GlueMinibatchExporter.export(s.train(), regression,
          dataDir, ep, t.batchSize(), t.seed(), conf));
      return new ParameterAveragingTrainer.Epoch(e.batchPaths(), e.loader());
    }, s.job() + " " + runId, (g, round) -> {
      TrainingState st = round.state();
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("round", st.round());
      rec.put("epoch", st.epoch() + 1);
      rec.put("step", st.steps());
      rec.put("examples", st.examples());
      rec.put("train_loss", round.score());
      double rate = (st.examples() - startExamples) / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
      rec.put("examples_per_second", rate);
      rec.put("round_seconds", round.roundSeconds());
      rec.put("step_seconds", round.stepSeconds());
      rec.put("learning_rate", DistillationGraph.layerConf(g).getUpdater().getLearningRate((int) st.steps(), 0));
      boolean epochEnd = st.batchesDone() >= round.batchesThisEpoch();
      long stepsBefore = st.steps() - (round.batches() + plan.workers() - 1) / plan.workers();
      boolean due = s.evalEverySteps() > 0 && st.steps() / s.evalEverySteps() > stepsBefore / s.evalEverySteps();
      String losses = probeLosses == null ? "" : ProbeLosses.record(rec, probeLosses.measure(g));
      String dev = "";
      if (s.dev() != null && (epochEnd || due)) {
        GlueEvaluation ev = s.evaluator().evaluateFeatures(model(g, s), s.dev());
        rec.put("dev", ev.metrics());
        evaluations.add(new double[] {st.steps(), ev.primary()});
        dev = String.format(" | dev %s %.4f", s.task().primaryMetric(), ev.primary());
        if (ev.primary() > best[0] || Double.isNaN(best[0])) {
          best[0] = ev.primary();
          saveBest(g, s, ev, st, bestDir, conf);
          rec.put("new_best", true);
          dev += " (new best)";
        }
      }
      log.append(rec);
      LOG.info(String.format("%s round %d | epoch %d/%d | step %d | train loss %.4f%s%s | %.1f examples/s", s.job(),
          st.round(), st.epoch() + 1, t.epochs(), st.steps(), round.score(), losses, dev, rate));
    });

    Path finalModel = new Path(s.output(), s.finalName());
    if (!alreadyFinished || !HadoopIO.exists(new Path(finalModel, HfCheckpoint.CONFIG_FILE), conf)) {
      save(graph, s, finalModel, conf);
    }
    Optional<Path> bestPath = Optional.empty();
    Map<String, Double> bestMetrics = Map.of();
    if (s.dev() != null) {
      if (!HadoopIO.exists(new Path(bestDir, EVAL_JSON), conf)) {
        // No scoring happened in this run (too few rounds): the final model is the best there is.
        GlueEvaluation ev = s.evaluator().evaluateFeatures(model(graph, s), s.dev());
        saveBest(graph, s, ev, state, bestDir, conf);
      }
      bestPath = Optional.of(bestDir);
      JsonNode m = JSON.readTree(HadoopIO.readAll(new Path(bestDir, EVAL_JSON), conf)).get("metrics");
      Map<String, Double> metrics = new LinkedHashMap<>();
      m.fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
      bestMetrics = metrics;
    }
    manifest.put("finished_at", Instant.now().toString());
    manifest.put("rounds", state.round());
    manifest.put("examples_seen", state.examples());
    manifest.put("final_model", finalModel.toString());
    bestPath.ifPresent(b -> manifest.put("best", b.toString()));
    manifest.put("best_metrics", bestMetrics);
    log.writeManifest(manifest);
    return new Result(runId, finalModel, bestPath, bestMetrics, state.round(), state.examples(), last.isPresent(),
        alreadyFinished, evaluations);
  }

  static BertModel model(ComputationGraph g, Spec s) {
    return new BertModel(s.student().config(), DistillationGraph.studentWeights(g), s.training().engine().resolve());
  }

  private static void save(ComputationGraph g, Spec s, Path dir, Configuration conf) {
    HfCheckpoint.save(dir, s.student().config(), DistillationGraph.studentWeights(g), s.vocab().tokens(), s.lowerCase(),
        conf);
  }

  /** The best score a previous run of this output recorded, or NaN. */
  private static double bestSoFar(Path bestDir, Configuration conf) throws IOException {
    Path f = new Path(bestDir, EVAL_JSON);
    if (!HadoopIO.exists(f, conf)) return Double.NaN;
    return JSON.readTree(HadoopIO.readAll(f, conf)).get("primary").asDouble();
  }

  /** Model and eval.json written together into a temporary sibling, then renamed over {@code best}. */
  private static void saveBest(ComputationGraph g, Spec s, GlueEvaluation ev, TrainingState st, Path bestDir,
      Configuration conf) throws IOException {
    Map<String, Object> eval = new LinkedHashMap<>();
    eval.put("task", s.task().taskName());
    eval.put("primary_metric", s.task().primaryMetric());
    eval.put("primary", ev.primary());
    eval.put("metrics", ev.metrics());
    eval.put("dev_examples", ev.size());
    eval.put("epoch", st.epoch() + (st.finished() ? 0 : 1));
    eval.put("step", st.steps());
    eval.put("round", st.round());
    eval.put("examples_seen", st.examples());
    FileSystem fs = HadoopIO.fs(bestDir, conf);
    Path tmp = new Path(bestDir.getParent(), "." + BEST + "." + UUID.randomUUID() + ".tmp");
    try {
      save(g, s, tmp, conf);
      HadoopIO.writeAtomically(new Path(tmp, EVAL_JSON), conf, JSON.writeValueAsBytes(eval));
      if (fs.exists(bestDir) && !fs.delete(bestDir, true)) throw new IOException("cannot replace " + bestDir);
      if (!fs.rename(tmp, bestDir)) throw new IOException("cannot rename " + tmp + " to " + bestDir);
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, true);
    }
    LOG.info("{}: new best {} {} at step {} -> {}", s.job(), s.task().primaryMetric(), ev.primary(), st.steps(),
        bestDir);
  }
}
