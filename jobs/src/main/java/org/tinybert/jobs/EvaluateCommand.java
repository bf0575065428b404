package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert evaluate}: dev-set metrics of a GLUE classifier as JSON ({@link EvaluateJob}). */
public final class EvaluateCommand implements Command {

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "Scores a classifier on a task's dev set (a GLUE preset or a task file) and prints its metrics as JSON.";
  }

  @Override
  public String settingsRoot() {
    return EvaluateSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(EvaluateSettings.SECTION, "model DIR", "task NAME_OR_FILE", "task-dir DIR", "output FILE",
        "max-seq-length N", "batch-size N", "head NAME", "cased", "label-order LIST", "partitions N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    EvaluateSettings settings = EvaluateSettings.from(args.settings());
    EvaluateJob.Summary summary = Sessions.inSession("tinybert evaluate", spark -> EvaluateJob.run(spark, settings));
    args.io().out().println(summary.toJsonString());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
