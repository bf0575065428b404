package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.PredictSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert predict}: test-set predictions in the GLUE server's files ({@link PredictJob}). */
public final class PredictCommand implements Command {
  private static final String KEY = PredictSettings.ROOT + ".";

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "Predicts a GLUE task's test set with a classifier and writes the files the GLUE server expects.";
  }

  @Override
  public String settingsRoot() {
    return PredictSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", KEY + "model"),
        Option.setting("task", "NAME", KEY + "task"),
        Option.setting("task-dir", "DIR", KEY + "task-dir"),
        Option.setting("output", "DIR", KEY + "output"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("batch-size", "N", KEY + "batch-size"),
        Option.setting("head", "NAME", KEY + "head"),
        Option.settingFlag("cased", KEY + "cased"),
        Option.setting("label-order", "LIST", KEY + "label-order"),
        Option.setting("partitions", "N", KEY + "partitions"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    PredictSettings settings = PredictSettings.from(args.settings());
    PredictJob.Summary summary = GlueRun.inSession("tinybert predict", spark -> PredictJob.run(spark, settings));
    args.io().out().println(summary.toJsonString());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
