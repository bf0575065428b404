package org.tinybert.jobs;

import java.util.List;
import org.tinybert.config.PredictSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert predict}: test-set predictions in the GLUE server's files ({@link PredictJob}). */
public final class PredictCommand implements Command {

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "Predicts a task's test set: the GLUE server's files, or a task file's id and label per test row.";
  }

  @Override
  public String settingsRoot() {
    return PredictSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(PredictSettings.SECTION, "model DIR", "task NAME_OR_FILE", "task-dir DIR", "output DIR",
        "max-seq-length N", "batch-size N", "head NAME", "cased", "label-order LIST", "partitions N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    PredictSettings settings = PredictSettings.from(args.settings());
    PredictJob.Summary summary = Sessions.inSession("tinybert predict", spark -> PredictJob.run(spark, settings));
    args.io().out().println(summary.toJsonString());
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
