package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.tinybert.augment.AugmentRun;
import org.tinybert.config.AugmentSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert augment}: TinyBERT's data augmentation of a training set (BERT masked LM + GloVe) as a Spark job, a
 * GLUE preset's train.tsv or a task file's table in its own format; prints the run's summary as one JSON line, with
 * {@code "skipped": true} when the output was already finished for these settings and inputs ({@link AugmentJob}).
 */
public final class AugmentCommand implements Command {

  @Override
  public String name() {
    return "augment";
  }

  @Override
  public String summary() {
    return "Augments a training set as TinyBERT does (masked LM + GloVe neighbours): a GLUE train.tsv to "
        + "train_aug.tsv, or a task file's table in its format.";
  }

  @Override
  public String settingsRoot() {
    return AugmentSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    // malformed-rows is bad-rows' old name, kept so that command lines written before the rename still run.
    return Option.settings(AugmentSettings.SECTION, "task NAME_OR_FILE", "input FILE", "glove FILE", "mlm DIR",
        "output FILE", "side-output FILE", "replace-probability P", "top-k K", "variants N", "task-variants",
        "glove-vocab-limit N", "bad-rows MODE", "malformed-glove-lines MODE", "seed N", "batch-size N",
        "partitions N", AugmentSettings.MALFORMED_ROWS.old().name() + " MODE");
  }

  /** The validated settings of this command line. */
  public AugmentSettings settings(ParsedArgs args) {
    return AugmentSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    AugmentSettings settings = settings(args);
    AugmentRun.Result result = Sessions.inSession("tinybert augment " + settings.task(),
        spark -> AugmentJob.run(spark, settings));
    Map<String, Object> line = AugmentRun.components(result.summary());
    line.put("skipped", result.skipped());
    args.io().out().println(new ObjectMapper().writeValueAsString(line));
    return ExitCodes.OK;
  }
}
