package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert task-distill}: TinyBERT's task distillation ({@link TaskDistillJob}). */
public final class TaskDistillCommand implements Command {
  private static final String KEY = TaskDistillSettings.ROOT + ".";

  @Override
  public String name() {
    return "task-distill";
  }

  @Override
  public String summary() {
    return "TinyBERT task distillation on a GLUE task: intermediate layers, then predictions, keeping the best dev student.";
  }

  @Override
  public String settingsRoot() {
    return TaskDistillSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("task", "NAME", KEY + "task"),
        Option.setting("task-dir", "DIR", KEY + "task-dir"),
        Option.setting("teacher", "DIR", KEY + "teacher"),
        Option.setting("student", "DIR", KEY + "student"),
        Option.setting("stage", "STAGE", KEY + "stage"),
        Option.setting("output", "DIR", KEY + "output"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("temperature", "T", KEY + "temperature"),
        Option.setting("eval-every", "STEPS", KEY + "eval-every"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    TaskDistillSettings settings = TaskDistillSettings.from(args.settings());
    TaskDistillJob.Summary summary = GlueRun.inSession("tinybert task-distill",
        spark -> TaskDistillJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
