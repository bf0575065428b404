package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.MetricsSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.metrics.GlueScorer;

/**
 * {@code tinybert metrics}: scores a predictions file against a labelled file of a task, a GLUE preset or a task file
 * ({@link GlueScorer}), and prints the task's metrics as one JSON object, in the order
 * {@link org.tinybert.metrics.GlueMetrics} gives them. No Spark.
 */
public final class MetricsCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsCommand.class);

  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public String summary() {
    return "Scores a predictions file against a task's labelled file (a GLUE preset or a task file) and prints its "
        + "metrics as JSON.";
  }

  @Override
  public String settingsRoot() {
    return MetricsSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return Option.settings(MetricsSettings.SECTION, "task NAME_OR_FILE", "predictions FILE", "gold FILE",
        "label-order LIST");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    MetricsSettings s = MetricsSettings.from(args.settings());
    LOG.info("metrics: {}", s);
    Map<String, Double> metrics = GlueScorer.score(s.task(), s.labelOrder(), s.predictions(), s.gold(),
        HadoopIO.defaultConf());
    args.io().out().println(new ObjectMapper().writeValueAsString(metrics));
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
