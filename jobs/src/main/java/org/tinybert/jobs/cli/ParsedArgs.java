package org.tinybert.jobs.cli;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tinybert.config.SettingsLoader;

/**
 * A command line after parsing.
 *
 * @param command the command it is for
 * @param configFile the {@code --config} file, if given
 * @param assignments every {@code --set} and every option that stands for a settings key, in command-line order
 * @param values options with a value that are not settings, by name without {@code --}
 * @param flags boolean options that are not settings and were set true
 * @param help whether {@code --help} was given
 * @param io where the command reads and prints
 */
public record ParsedArgs(
    Command command,
    Optional<String> configFile,
    List<SettingsLoader.Assignment> assignments,
    Map<String, String> values,
    Set<String> flags,
    boolean help,
    Io io) {
  public ParsedArgs {
    assignments = List.copyOf(assignments);
    values = Map.copyOf(values);
    flags = Set.copyOf(flags);
  }

  /**
   * reference.conf, then {@code --config}, then the assignments (the last one wins), resolved and checked for
   * unknown keys outside the command's section; the command's settings record validates its own section.
   *
   * @throws org.tinybert.config.SettingsException listing every problem
   */
  public Config settings() {
    return SettingsLoader.loadWith(command.settingsRoot(), configFile, assignments);
  }

  /** The value of a non-setting option. */
  public Optional<String> value(String option) {
    return Optional.ofNullable(values.get(option));
  }

  /** Whether a non-setting boolean option was set. */
  public boolean flag(String option) {
    return flags.contains(option);
  }
}
