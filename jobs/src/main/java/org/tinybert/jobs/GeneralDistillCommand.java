package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert general-distill}: the main job ({@link GeneralDistillJob}). */
public final class GeneralDistillCommand implements Command {

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
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(GeneralDistillSettings.SECTION, "output DIR", "teacher DIR", "student DIR",
        "max-seq-length N", "epochs N", "batch-size N", "averaging-frequency N", "workers N", "learning-rate LR",
        "seed N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    GeneralDistillSettings settings = GeneralDistillSettings.from(args.settings());
    GeneralDistillJob.Summary summary = Sessions.inSession("tinybert general-distill",
        spark -> GeneralDistillJob.run(spark, settings));
    args.io().out().println(summary.describe());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
