package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert evaluate}: dev-set metrics of a GLUE classifier as JSON ({@link EvaluateJob}). */
public final class EvaluateCommand implements Command {
  private static final String KEY = EvaluateSettings.ROOT + ".";

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "Scores a GLUE classifier on a task's dev set and prints its metrics as JSON (mnli: also mismatched).";
  }

  @Override
  public String settingsRoot() {
    return EvaluateSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", KEY + "model"),
        Option.setting("task", "NAME", KEY + "task"),
        Option.setting("task-dir", "DIR", KEY + "task-dir"),
        Option.setting("output", "FILE", KEY + "output"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("batch-size", "N", KEY + "batch-size"),
        Option.setting("head", "NAME", KEY + "head"),
        Option.settingFlag("cased", KEY + "cased"),
        Option.setting("label-order", "LIST", KEY + "label-order"),
        Option.setting("partitions", "N", KEY + "partitions"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    EvaluateSettings settings = EvaluateSettings.from(args.settings());
    EvaluateJob.Summary summary = GlueRun.inSession("tinybert evaluate", spark -> EvaluateJob.run(spark, settings));
    args.io().out().println(summary.toJsonString());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
