package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert finetune-teacher}: a task's teacher ({@link FinetuneTeacherJob}). */
public final class FinetuneTeacherCommand implements Command {
  private static final String KEY = FinetuneTeacherSettings.ROOT + ".";

  @Override
  public String name() {
    return "finetune-teacher";
  }

  @Override
  public String summary() {
    return "Fine-tunes a BERT on a GLUE task, keeping the best dev checkpoint (the task-distillation teacher).";
  }

  @Override
  public String settingsRoot() {
    return FinetuneTeacherSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", KEY + "model"),
        Option.setting("task", "NAME", KEY + "task"),
        Option.setting("task-dir", "DIR", KEY + "task-dir"),
        Option.setting("output", "DIR", KEY + "output"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("epochs", "N", KEY + "epochs"),
        Option.setting("batch-size", "N", KEY + "batch-size"),
        Option.setting("workers", "N", KEY + "workers"),
        Option.setting("learning-rate", "LR", KEY + "learning-rate"),
        Option.setting("seed", "N", KEY + "seed"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    FinetuneTeacherSettings settings = FinetuneTeacherSettings.from(args.settings());
    FinetuneTeacherJob.Summary summary = GlueRun.inSession("tinybert finetune-teacher",
        spark -> FinetuneTeacherJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
