package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert finetune-teacher}: a task's teacher ({@link FinetuneTeacherJob}). */
public final class FinetuneTeacherCommand implements Command {

  @Override
  public String name() {
    return "finetune-teacher";
  }

  @Override
  public String summary() {
    return "Fine-tunes a BERT on a task, keeping the best dev checkpoint (the task-distillation teacher).";
  }

  @Override
  public String settingsRoot() {
    return FinetuneTeacherSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(FinetuneTeacherSettings.SECTION,
        "model DIR", "task NAME_OR_FILE", "task-dir DIR", "output DIR", "max-seq-length N", "epochs N", "batch-size N",
        "workers N", "learning-rate LR", "seed N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    FinetuneTeacherSettings settings = FinetuneTeacherSettings.from(args.settings());
    FinetuneTeacherJob.Summary summary = Sessions.inSession("tinybert finetune-teacher",
        spark -> FinetuneTeacherJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
