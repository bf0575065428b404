package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.GlueRunSettings;
import org.tinybert.config.PredictSettings;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.GluePredictionWriter;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.OutputHold;
import org.tinybert.scoring.GlueSplitRun;

/**
 * The {@code predict} job: a classifier's predictions on the test split of a task. A GLUE preset's are written as the
 * GLUE server expects them ({@link GlueTask#submissionFileName()}: CoLA.tsv, ..., MNLI-m.tsv and MNLI-mm.tsv for
 * mnli, AX.tsv for ax), one {@code index<TAB>prediction} row per test example with label names (STS-B: scores); a
 * task file's into {@code <name>.tsv}, one row per test row: its id column (named as in the table; else
 * {@code index}, the row's 0-based number) and the label name (regression: the score). Runs as
 * {@link EvaluateJob} does; each file appears atomically.
 */
public final class PredictJob {
  private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PredictJob() {}

  /**
   * One server file written.
   *
   * @param input the test file read
   * @param output the server file written
   * @param examples rows written
   * @param skipped malformed rows skipped (QQP)
   */
  public record Written(TaskDefinition definition, String input, String output, long examples, long skipped) {

    /** The GLUE preset predicted; null for a task file. */
    public GlueTask task() {
      return definition instanceof GlueTask g ? g : null;
    }
  }

  /** What a run wrote; {@code files} has one entry per task (mnli: mnli, then mnli-mm). */
  public record Summary(String runId, TaskDefinition task, String model, List<Written> files) {

    public Written file(TaskDefinition t) {
      return files.stream()
          .filter(w -> w.definition() == t || w.definition().taskName().equals(t.taskName())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no file for " + t + " in " + files));
    }

    /** The JSON the command prints. */
    public String toJsonString() {
      ObjectNode o = JSON.createObjectNode();
      o.put("run_id", runId);
      o.put("task", task.taskName());
      if (task instanceof TaskFile f) o.put("task_file", f.source());
      o.put("model", model);
      ObjectNode fs = o.putObject("files");
      for (Written w : files) {
        ObjectNode n = fs.putObject(w.definition().taskName());
        n.put("input", w.input());
        n.put("output", w.output());
        n.put("examples", w.examples());
        n.put("skipped", w.skipped());
      }
      try {
        return JSON.writeValueAsString(o);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static Summary run(SparkSession spark, PredictSettings settings) throws IOException {
    try (OutputHold hold = OutputHold.take(spark.sparkContext(), settings.output(), settings.run().holdStaleAfter())) {
      return run(spark, settings, hold);
    }
  }

  private static Summary run(SparkSession spark, PredictSettings settings, OutputHold hold) throws IOException {
    GlueRunSettings s = settings.run();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    GlueSplitRun.Run<Written> run = GlueSplitRun.run(spark, "predict", settings, s, Split.TEST, p -> {
      List<String> indices = p.predictions().stream().map(GluePrediction::index).toList();
      Path out = new Path(settings.output(), p.task().predictionFileName());
      hold.check();
      if (p.task().outputMode() == OutputMode.REGRESSION) {
        double[] scores = p.predictions().stream().mapToDouble(GluePrediction::score).toArray();
        GluePredictionWriter.write(p.task(), indices, scores, out, conf);
      } else {
        int[] ids = p.predictions().stream().mapToInt(GluePrediction::labelId).toArray();
        GluePredictionWriter.write(GlueLabels.of(p.task(), s.labelOrder()), indices, ids, out, conf);
      }
      LOG.info("predict {}: {} predictions of {} written to {}", p.runId(), indices.size(), p.task(), out);
      return new Written(p.task(), GlueSplitRun.qualified(p.file(), conf), GlueSplitRun.qualified(out, conf),
          p.examples().size(), p.examples().skipped());
    });
    return new Summary(run.runId(), s.task(), GlueSplitRun.qualified(s.model(), conf), run.perTask());
  }
}
