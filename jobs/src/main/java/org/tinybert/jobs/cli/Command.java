package org.tinybert.jobs.cli;

import java.util.List;
import java.util.Optional;

/**
 * One {@code tinybert <command>}. Implementations return an exit code and never call {@code System.exit}: only
 * {@link org.tinybert.jobs.Main} does.
 */
public interface Command {
  /** The word after {@code tinybert}, e.g. {@code forward}. */
  String name();

  /** One line for {@code tinybert --help}. */
  String summary();

  /** The settings section the command reads, e.g. {@code tinybert.forward}; its keys are listed by --help. */
  String settingsRoot();

  /**
   * Whether the command holds its output while it runs ({@code tinybert.hold.stale-after} applies, and --help lists
   * it). No by default.
   */
  default boolean holdsOutput() {
    return false;
  }

  /** The command's own options; --config, --set and --help are added to every command. */
  List<Option> options();

  /**
   * The one argument without {@code --} a command may take first, standing for a settings key like an option does
   * (its {@link Option#name()} names it in messages, its value name in the usage line), e.g. the benchmark of
   * {@code tinybert bench distill-step}. None by default.
   */
  default Optional<Option> argument() {
    return Optional.empty();
  }

  /**
   * Runs the command.
   *
   * @return the process exit code ({@link ExitCodes})
   * @throws org.tinybert.config.SettingsException when the settings cannot be used (Main prints each problem, exit 2)
   */
  int run(ParsedArgs args) throws Exception;
}
