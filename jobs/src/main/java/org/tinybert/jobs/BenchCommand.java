package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.bench.DistillBenchmark;
import org.tinybert.config.BenchSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert bench distill-step|inference}: times one general-distillation step, or teacher and student
 * inference, with random weights ({@link DistillBenchmark}) and prints the result as one JSON line. No Spark.
 */
public final class BenchCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "Times a general-distillation step (distill-step) or teacher and student inference (inference) and"
        + " prints one JSON line.";
  }

  @Override
  public String settingsRoot() {
    return BenchSettings.ROOT;
  }

  @Override
  public Optional<Option> argument() {
    return Optional.of(Option.setting("benchmark", "BENCHMARK", BenchSettings.SECTION.key("benchmark")));
  }

  @Override
  public List<Option> options() {
    return Option.settings(BenchSettings.SECTION, "batch B", "seq-length L", "steps N", "warmup N", "seed N");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    BenchSettings s = BenchSettings.from(args.settings());
    LOG.info("bench: {}", s);
    LOG.info("engine: {}", s.engine().describe());
    DistillBenchmark.Settings d = new DistillBenchmark.Settings(s.batch(), s.seqLength(), s.steps(), s.warmup(),
        s.seed(), s.engine());
    Map<String, Object> result = switch (s.benchmark()) {
      case DISTILL_STEP -> DistillBenchmark.distillStep(d);
      case INFERENCE -> DistillBenchmark.inference(d);
    };
    args.io().out().println(new ObjectMapper().writeValueAsString(result));
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
