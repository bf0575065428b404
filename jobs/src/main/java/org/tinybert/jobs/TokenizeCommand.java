package org.tinybert.jobs;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TokenizeSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert tokenize}: BERT WordPiece tokenization of text. */
public final class TokenizeCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(TokenizeCommand.class);

  @Override
  public String name() {
    return "tokenize";
  }

  @Override
  public String summary() {
    return "Splits text into BERT WordPiece tokens, one line of tokens per input line or packed sequence.";
  }

  @Override
  public String settingsRoot() {
    return TokenizeSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("vocab", "FILE", "tinybert.tokenize.vocab"),
        Option.settingFlag("cased", "tinybert.tokenize.cased"),
        Option.setting("max-seq-length", "N", "tinybert.tokenize.max-seq-length"),
        Option.setting("input", "FILE", "tinybert.tokenize.input"));
  }

  /** The validated settings of this command line. */
  public TokenizeSettings settings(ParsedArgs args) {
    return TokenizeSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    TokenizeSettings settings = settings(args);
    LOG.info("tokenize: {}", settings);
    return execute(settings, args);
  }

  /** The tokenization itself. */
  int execute(TokenizeSettings settings, ParsedArgs args) throws Exception {
    args.io().err().println("tokenize: not available in this build");
    return ExitCodes.UNAVAILABLE;
  }
}
