package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert general-distill}: the main job ({@link GeneralDistillJob}). */
public final class GeneralDistillCommand implements Command {
  private static final String KEY = GeneralDistillSettings.ROOT + ".";

  @Override
  public String name() {
    return "general-distill";
  }

  @Override
  public String summary() {
    return "Distils a general student from a teacher on a text corpus (with no options: the bundled sample).";
  }

  @Override
  public String settingsRoot() {
    return GeneralDistillSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("output", "DIR", KEY + "output"),
        Option.setting("teacher", "DIR", KEY + "teacher"),
        Option.setting("student", "DIR", KEY + "student"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("epochs", "N", KEY + "epochs"),
        Option.setting("batch-size", "N", KEY + "batch-size"),
        Option.setting("averaging-frequency", "N", KEY + "averaging-frequency"),
        Option.setting("workers", "N", KEY + "workers"),
        Option.setting("learning-rate", "LR", KEY + "learning-rate"),
        Option.setting("seed", "N", KEY + "seed"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    GeneralDistillSettings settings = GeneralDistillSettings.from(args.settings());
    GeneralDistillJob.Summary summary = GlueRun.inSession("tinybert general-distill",
        spark -> GeneralDistillJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
