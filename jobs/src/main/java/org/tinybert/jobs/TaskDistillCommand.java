package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert task-distill}: TinyBERT's task distillation ({@link TaskDistillJob}). */
public final class TaskDistillCommand implements Command {

  @Override
  public String name() {
    return "task-distill";
  }

  @Override
  public String summary() {
    return "TinyBERT task distillation (intermediate layers, then predictions), keeping the best dev student.";
  }

  @Override
  public String settingsRoot() {
    return TaskDistillSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(TaskDistillSettings.SECTION,
        "task NAME_OR_FILE", "task-dir DIR", "teacher DIR", "student DIR", "stage STAGE", "output DIR",
        "max-seq-length N", "temperature T", "eval-every STEPS");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    TaskDistillSettings settings = TaskDistillSettings.from(args.settings());
    TaskDistillJob.Summary summary = Sessions.inSession("tinybert task-distill",
        spark -> TaskDistillJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
