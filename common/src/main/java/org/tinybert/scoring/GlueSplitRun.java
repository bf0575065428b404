package org.tinybert.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.GlueRunSettings;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.model.core.BertConfig;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.scoring.GluePredictor;
import org.tinybert.settings.Section;

/**
 * A model over one split of every task of a GLUE run, on the executors (what {@code evaluate} and {@code predict}
 * share): every task's file is located and the model checked against every task before any work starts, then each
 * task's examples are read, predicted (one prediction per example, in order) and handed to the job.
 */
public final class GlueSplitRun {
  private static final Logger LOG = LoggerFactory.getLogger(GlueSplitRun.class);

  /**
   * One task's predictions, one per example of {@code examples} (read from {@code file}), in order; {@code task} has
   * its labels (a task file without them takes the model's).
   */
  public record TaskPredictions(String runId, TaskDefinition task, Path file, GlueExamples examples,
      List<GluePrediction> predictions) {}

  /** A run: its short id (logged, and written with its results) and what the job made of each task, in order. */
  public record Run<T>(String runId, List<T> perTask) {}

  /** What a job makes of one task's predictions (metrics, a server file). */
  @FunctionalInterface
  public interface PerTask<T> {
    T apply(TaskPredictions p) throws IOException;
  }

  private GlueSplitRun() {}

  /**
   * The {@code split} of every task of {@code s}, predicted by its model; {@code perTask}'s results in task order.
   *
   * @param job the command, for the log (with {@code settings}, the job's whole settings record)
   */
  public static <T> Run<T> run(SparkSession spark, String job, Record settings, GlueRunSettings s, Split split,
      PerTask<T> perTask) throws IOException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    LOG.info("{} {}: {}", job, runId, settings);
    LOG.info("engine: {} (executors resolve {} on their own backend)", s.engine().describe(), s.engine());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Map<TaskDefinition, Path> files = locate(s, split, conf);
    Map<TaskDefinition, TaskDefinition> resolved = checkModel(s, conf);
    // Decided once for every task, and before any work: a setting that contradicts the model's files is refused.
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), Section.of(job).key("cased").full(), s.model(),
        conf);
    List<T> out = new ArrayList<>();
    for (Map.Entry<TaskDefinition, Path> e : files.entrySet()) {
      TaskDefinition task = resolved.get(e.getKey());
      GlueExamples ex = read(task, split, e.getValue(), conf);
      out.add(perTask.apply(new TaskPredictions(runId, task, e.getValue(), ex,
          predict(spark, s, lowerCase, task, ex))));
    }
    return new Run<>(runId, List.copyOf(out));
  }

  /**
   * The {@code split} file of every task of the run, all located before any work starts, so that a missing one
   * (mnli's dev_mismatched.tsv, say) is reported at once, naming every path tried.
   */
  private static Map<TaskDefinition, Path> locate(GlueRunSettings s, Split split, Configuration conf) {
    if (s.task() instanceof GlueTask && !HadoopIO.exists(s.taskDir(), conf)) {
      throw new InputException("task directory " + s.taskDir() + " of " + s.task() + " does not exist");
    }
    Map<TaskDefinition, Path> files = new LinkedHashMap<>();
    for (TaskDefinition t : s.tasks()) files.put(t, TaskData.locate(t, split, s.taskDir(), conf));
    return files;
  }

  /**
   * The model's config.json, checked against every task of the run (sequence length, label count); each task as it
   * runs: a task file without labels takes the model's ({@code id2label}).
   */
  private static Map<TaskDefinition, TaskDefinition> checkModel(GlueRunSettings s, Configuration conf) {
    Path file = new Path(s.model(), HfCheckpoint.CONFIG_FILE);
    if (!HadoopIO.exists(file, conf)) {
      throw new InputException("not a model directory: " + s.model() + " has no " + HfCheckpoint.CONFIG_FILE);
    }
    BertConfig cfg;
    try {
      cfg = BertConfig.parse(HadoopIO.readAll(file, conf), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
    Map<TaskDefinition, TaskDefinition> resolved = new LinkedHashMap<>();
    for (TaskDefinition t : s.tasks()) {
      TaskDefinition r = TaskData.withModelLabels(t, cfg, s.model());
      GlueEvaluator.checkConfig(r, s.maxSeqLength(r), cfg, s.model());
      if (r != t && !s.labelOrder().isEmpty()) GlueLabels.of(r, s.labelOrder());
      resolved.put(t, r);
    }
    return resolved;
  }

  /** The examples of one file; a file without any is an error naming it. */
  private static GlueExamples read(TaskDefinition task, Split split, Path file, Configuration conf)
      throws IOException {
    GlueExamples ex = TaskData.read(task, split, file, conf);
    if (ex.size() == 0) {
      throw new InputException(file + ": no examples of " + task + " (" + ex.skipped() + " malformed rows "
          + "skipped)");
    }
    if (ex.skipped() > 0 && task instanceof TaskFile) {
      LOG.warn("{}: {} bad rows skipped, the first: {}", file, ex.skipped(), ex.skippedReasons());
    }
    return ex;
  }

  /** Predictions for the examples of one task on the executors, checked to be one per example in order. */
  private static List<GluePrediction> predict(SparkSession spark, GlueRunSettings s, boolean lowerCase,
      TaskDefinition task,
      GlueExamples ex) {
    GluePredictor.Spec spec = new GluePredictor.Spec(s.model(), task, s.labelOrder(), !lowerCase, s.maxSeqLength(),
        s.head(), s.batchSize(), s.engine());
    List<GluePrediction> preds = GluePredictor.predict(
        JavaSparkContext.fromSparkContext(spark.sparkContext()), spec, ex.examples(),
        s.partitions());
    List<GlueExample> examples = ex.examples();
    if (preds.size() != examples.size()) {
      throw new IllegalStateException(ex.file() + ": " + examples.size() + " examples but " + preds.size()
          + " predictions came back");
    }
    for (int i = 0; i < preds.size(); i++) {
      if (!preds.get(i).index().equals(examples.get(i).index())) {
        throw new IllegalStateException(ex.file() + ": prediction " + i + " is for index '" + preds.get(i).index()
            + "', expected '" + examples.get(i).index() + "'");
      }
    }
    return preds;
  }

  /** A path as the file system names it in full (hdfs://nn:8020/..., file:/...), for summaries. */
  public static String qualified(Path p, Configuration conf) {
    return HadoopIO.fs(p, conf).makeQualified(p).toString();
  }
}
