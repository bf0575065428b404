package org.tinybert.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.tinybert.config.GlueRunSettings;
import org.tinybert.glue.GlueEvaluator;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.model.BertConfig;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.spark.GluePredictor;

/** What {@link EvaluateJob} and {@link PredictJob} share: finding the files, checking the model, predicting. */
final class GlueRun {
  private GlueRun() {}

  /** A short id for one run, logged and written with its results. */
  static String newRunId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The {@code split} file of every task of the run, all located before any work starts, so that a missing one
   * (mnli's dev_mismatched.tsv, say) is reported at once, naming every path tried.
   */
  static Map<GlueTask, Path> locate(GlueRunSettings s, Split split, Configuration conf) {
    if (!HadoopIO.exists(s.taskDir(), conf)) {
      throw new InputException("task directory " + s.taskDir() + " of " + s.task() + " does not exist");
    }
    Map<GlueTask, Path> files = new LinkedHashMap<>();
    for (GlueTask t : s.tasks()) files.put(t, t.locate(s.taskDir(), split, conf));
    return files;
  }

  /** The model's config.json, checked against every task of the run (sequence length, label count). */
  static BertConfig checkModel(GlueRunSettings s, Configuration conf) {
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
    for (GlueTask t : s.tasks()) GlueEvaluator.checkConfig(t, s.maxSeqLength(t), cfg, s.model());
    return cfg;
  }

  /** The examples of one file; a file without any is an error naming it. */
  static GlueExamples read(GlueTask task, Split split, Path file, Configuration conf) throws IOException {
    GlueExamples ex = GlueReader.read(task, split, file, conf);
    if (ex.size() == 0) {
      throw new InputException(file + ": no examples of " + task + " (" + ex.skipped() + " malformed rows "
          + "skipped)");
    }
    return ex;
  }

  /** Predictions for the examples of one task on the executors, checked to be one per example in order. */
  static List<GluePrediction> predict(SparkSession spark, GlueRunSettings s, GlueTask task, GlueExamples ex) {
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), "cased", s.model(),
        spark.sparkContext().hadoopConfiguration());
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
  static String qualified(Path p, Configuration conf) {
    return HadoopIO.fs(p, conf).makeQualified(p).toString();
  }

  /**
   * Runs {@code job} in the active Spark session, or in a new one (master and settings from spark-submit or the
   * launcher's {@code -Dspark.*}) that is stopped afterwards.
   */
  static <T> T inSession(String app, SessionJob<T> job) throws Exception {
    // A session a previous command in this JVM stopped can still be the thread's active one: never reuse it.
    scala.Option<SparkSession> existing = SparkSession.getActiveSession();
    if (existing.isEmpty() || existing.get().sparkContext().isStopped()) existing = SparkSession.getDefaultSession();
    if (existing.isDefined() && !existing.get().sparkContext().isStopped()) return job.run(existing.get());
    SparkSession spark = SparkSession.builder().appName(app).getOrCreate();
    try {
      return job.run(spark);
    } finally {
      spark.stop();
    }
  }

  /** A job body that runs in a session. */
  @FunctionalInterface
  interface SessionJob<T> {
    T run(SparkSession spark) throws Exception;
  }
}
