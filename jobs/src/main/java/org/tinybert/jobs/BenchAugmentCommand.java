package org.tinybert.jobs;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.bench.AugmentBenchmark;
import org.tinybert.config.AugmentBenchSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert bench augment}: the augmentation's batched path against the straightforward method on the same
 * sentences, BERT-base-sized; prints one JSON line (see {@link AugmentBenchmark}). Runs in this JVM, without Spark.
 */
public final class BenchAugmentCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(BenchAugmentCommand.class);

  @Override
  public String name() {
    return "bench augment";
  }

  @Override
  public String summary() {
    return "Times the augmentation's batched masked LM and GloVe against one forward pass and one scan per word.";
  }

  @Override
  public String settingsRoot() {
    return AugmentBenchSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return Option.settings(AugmentBenchSettings.SECTION, "model SIZE", "sentences N", "words N", "batch-size N",
        "rounds N", "glove-words N", "glove-dim N", "seed N", "workload FILE");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    AugmentBenchSettings settings = AugmentBenchSettings.from(args.settings());
    LOG.info("engine: {}", settings.engine().describe());
    args.io().out().println(AugmentBenchmark.run(settings).toJson());
    return ExitCodes.OK;
  }
}
