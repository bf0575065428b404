package org.tinybert.jobs;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.ForwardSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert forward}: runs a BERT model over examples and writes its outputs. */
public final class ForwardCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardCommand.class);

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public String summary() {
    return "Runs a BERT model (a Hugging Face directory) over examples and writes its outputs.";
  }

  @Override
  public String settingsRoot() {
    return ForwardSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", "tinybert.forward.model"),
        Option.setting("input", "PATH", "tinybert.forward.input"),
        Option.setting("output", "PATH", "tinybert.forward.output"),
        Option.setting("max-seq-length", "N", "tinybert.forward.max-seq-length"));
  }

  /** The validated settings of this command line. */
  public ForwardSettings settings(ParsedArgs args) {
    return ForwardSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    ForwardSettings settings = settings(args);
    LOG.info("forward: {}", settings);
    return execute(settings, args);
  }

  /** The forward pass itself. */
  int execute(ForwardSettings settings, ParsedArgs args) throws Exception {
    args.io().err().println("forward: not available in this build");
    return ExitCodes.UNAVAILABLE;
  }
}
