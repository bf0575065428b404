package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.tinybert.config.AugmentSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert augment}: TinyBERT's data augmentation of a GLUE training set (BERT masked LM + GloVe) as a Spark
 * job; prints the run's summary as one JSON line, with {@code "skipped": true} when the output was already finished for
 * these settings and inputs ({@link AugmentJob}).
 */
public final class AugmentCommand implements Command {
  private static final String K = AugmentSettings.ROOT + ".";

  @Override
  public String name() {
    return "augment";
  }

  @Override
  public String summary() {
    return "Augments a GLUE training set as TinyBERT does (masked LM + GloVe neighbours): train.tsv to train_aug.tsv.";
  }

  @Override
  public String settingsRoot() {
    return AugmentSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("task", "NAME", K + "task"),
        Option.setting("input", "FILE", K + "input"),
        Option.setting("glove", "FILE", K + "glove"),
        Option.setting("mlm", "DIR", K + "mlm"),
        Option.setting("output", "FILE", K + "output"),
        Option.setting("side-output", "FILE", K + "side-output"),
        Option.setting("replace-probability", "P", K + "replace-probability"),
        Option.setting("top-k", "K", K + "top-k"),
        Option.setting("variants", "N", K + "variants"),
        Option.settingFlag("task-variants", K + "task-variants"),
        Option.setting("glove-vocab-limit", "N", K + "glove-vocab-limit"),
        Option.setting("malformed-rows", "MODE", K + "malformed-rows"),
        Option.setting("malformed-glove-lines", "MODE", K + "malformed-glove-lines"),
        Option.setting("seed", "N", K + "seed"),
        Option.setting("batch-size", "N", K + "batch-size"),
        Option.setting("partitions", "N", K + "partitions"));
  }

  /** The validated settings of this command line. */
  public AugmentSettings settings(ParsedArgs args) {
    return AugmentSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    AugmentSettings settings = settings(args);
    AugmentJob.Result result = GlueRun.inSession("tinybert augment " + settings.task(),
        spark -> AugmentJob.run(spark, settings));
    Map<String, Object> line = AugmentJob.components(result.summary());
    line.put("skipped", result.skipped());
    args.io().out().println(new ObjectMapper().writeValueAsString(line));
    return ExitCodes.OK;
  }
}
