package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.config.GlueRunSettings;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.OutputHold;
import org.tinybert.scoring.GlueEvaluator;
import org.tinybert.scoring.GlueSplitRun;

/**
 * The {@code evaluate} job: a classifier's metrics on the dev split of a task (a GLUE preset, mnli: dev_matched as
 * {@code mnli} and dev_mismatched as {@code mnli-mm}; or a task file, scored by the metrics it lists). The driver
 * reads the examples, the executors tokenize and predict them (the model loaded once per executor), only the
 * predictions come back, and the driver computes the task's metrics.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluateJob() {}

  /**
   * One task's dev metrics.
   *
   * @param definition the task as scored (a task file with its labels)
   * @param file the dev file read
   * @param maxSeqLength the sequence length the examples were encoded with
   * @param examples examples scored
   * @param skipped malformed rows skipped (QQP)
   * @param metrics as {@link org.tinybert.metrics.GlueMetrics} names and orders them
   */
  public record TaskResult(TaskDefinition definition, String file, int maxSeqLength, long examples, long skipped,
      Map<String, Double> metrics) {

    /** The GLUE preset scored; null for a task file. */
    public GlueTask task() {
      return definition instanceof GlueTask g ? g : null;
    }
  }

  /**
   * What a run found.
   *
   * @param runId the short id the run logged
   * @param model the model directory, qualified
   * @param results one per task (mnli: mnli, then mnli-mm)
   */
  public record Summary(String runId, TaskDefinition task, String model, String taskDir, String head,
      List<TaskResult> results) {

    /** The result of one task. */
    public TaskResult result(TaskDefinition t) {
      return results.stream()
          .filter(r -> r.definition() == t || r.definition().taskName().equals(t.taskName())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no result for " + t + " in " + results));
    }

    /** The JSON the job prints and writes. */
    public ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("run_id", runId);
      o.put("task", task.taskName());
      if (task instanceof TaskFile f) o.put("task_file", f.source());
      o.put("model", model);
      if (taskDir != null) o.put("task_dir", taskDir);
      o.put("head", head);
      ObjectNode rs = o.putObject("results");
      for (TaskResult r : results) {
        ObjectNode n = rs.putObject(r.definition().taskName());
        n.put("file", r.file());
        n.put("max_seq_length", r.maxSeqLength());
        n.put("examples", r.examples());
        n.put("skipped", r.skipped());
        ObjectNode m = n.putObject("metrics");
        r.metrics().forEach(m::put);
      }
      return o;
    }

    public String toJsonString() {
      try {
        return JSON.writeValueAsString(toJson());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static Summary run(SparkSession spark, EvaluateSettings settings) throws IOException {
    // A metrics file is the run's output, held while it runs; metrics only printed need no hold.
    try (OutputHold hold = settings.outputPath().isPresent()
        ? OutputHold.take(spark.sparkContext(), settings.outputPath().get(), settings.run().holdStaleAfter()) : null) {
      return run(spark, settings, hold);
    }
  }

  private static Summary run(SparkSession spark, EvaluateSettings settings, OutputHold hold) throws IOException {
    GlueRunSettings s = settings.run();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    GlueSplitRun.Run<TaskResult> run = GlueSplitRun.run(spark, "evaluate", settings, s, Split.DEV, p -> {
      Map<String, Double> metrics = GlueEvaluator.metrics(p.task(),
          p.task().outputMode() == OutputMode.REGRESSION ? null : GlueLabels.of(p.task(), s.labelOrder()),
          p.predictions());
      LOG.info("evaluate {}: {} on {} examples of {}: {}", p.runId(), p.task(), p.examples().size(), p.file(),
          metrics);
      return new TaskResult(p.task(), GlueSplitRun.qualified(p.file(), conf), s.maxSeqLength(p.task()),
          p.examples().size(), p.examples().skipped(), new LinkedHashMap<>(metrics));
    });
    Summary summary = new Summary(run.runId(), s.task(), GlueSplitRun.qualified(s.model(), conf),
        s.taskDir() == null ? null : GlueSplitRun.qualified(s.taskDir(), conf), s.head().key(), run.perTask());
    if (settings.outputPath().isPresent()) {
      Path out = settings.outputPath().get();
      hold.check();
      HadoopIO.writeAtomically(out, conf, JSON.writeValueAsBytes(summary.toJson()));
      LOG.info("evaluate {}: metrics written to {}", run.runId(), out);
    }
    return summary;
  }
}
