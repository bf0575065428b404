package org.tinybert.jobs;

import java.util.List;
import java.util.Map;
import org.tinybert.config.InferBenchSettings;
import org.tinybert.bench.InferBenchmark;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert bench infer}: {@code infer}'s examples/s on the Spark master against the engine's, for a
 * BERT-base-sized teacher and a TinyBERT4-sized student (see {@link InferBenchmark}); prints one JSON line.
 */
public final class BenchInferCommand implements Command {

  @Override
  public String name() {
    return "bench infer";
  }

  @Override
  public String summary() {
    return "Times infer (a Spark job) against the engine's own inference, teacher and student, and prints one JSON"
        + " line.";
  }

  @Override
  public String settingsRoot() {
    return InferBenchSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return Option.settings(InferBenchSettings.SECTION, "model SIZE", "dir DIR", "rows N", "parts N", "batch B",
        "seq-length L", "rounds N", "seed N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    InferBenchSettings settings = InferBenchSettings.from(args.settings());
    Map<String, Object> result = Sessions.inSession("tinybert bench infer", spark -> InferBenchmark.run(spark,
        settings));
    args.io().out().println(InferBenchmark.toJson(result));
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
