package org.tinybert.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinybert.config.SettingsReference;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * One {@code --option} of a command.
 *
 * @param name the name without the leading {@code --}
 * @param valueName how help shows the value ({@code N}, {@code DIR}), or null for a boolean flag
 * @param settingsKey the settings key the option stands for, or null when it is not one
 * @param help the help line, or null to take the comment of {@code settingsKey} in {@code reference.conf}
 */
public record Option(String name, String valueName, String settingsKey, String help) {
  public Option {
    if (name.startsWith("-") || name.contains("=")) throw new IllegalArgumentException("bad option name " + name);
    if (settingsKey == null && help == null) throw new IllegalArgumentException("--" + name + " needs a help line");
    if (settingsKey != null && !SettingsReference.isKnown(settingsKey)) {
      throw new IllegalArgumentException("--" + name + " stands for " + settingsKey + ", which reference.conf lacks");
    }
  }

  /** {@code --name VALUE} standing for {@code settingsKey}; help comes from {@code reference.conf}. */
  public static Option setting(String name, String valueName, String settingsKey) {
    return new Option(name, valueName, settingsKey, null);
  }

  /** {@code --name VALUE} standing for {@code key}; help comes from {@code reference.conf}. */
  public static Option setting(String name, String valueName, Key key) {
    return setting(name, valueName, key.full());
  }

  /**
   * One option per key of the settings section {@code section}, each named as its key, with help from
   * {@code reference.conf}: {@code "max-seq-length N"} takes a value shown as N, a bare {@code "cased"} is a boolean
   * flag. The key, its rule, default and help are written once, in {@code reference.conf}.
   */
  public static List<Option> settings(Section section, String... specs) {
    List<Option> out = new ArrayList<>(specs.length);
    for (String spec : specs) {
      String[] parts = spec.split(" ");
      if (parts.length > 2) throw new IllegalArgumentException("option spec '" + spec + "': expected 'name VALUE'");
      String key = section.key(parts[0]).full();
      out.add(parts.length == 2 ? setting(parts[0], parts[1], key) : settingFlag(parts[0], key));
    }
    return List.copyOf(out);
  }

  /** {@code --name} (or {@code --name=false}) standing for the boolean {@code settingsKey}. */
  public static Option settingFlag(String name, String settingsKey) {
    return new Option(name, null, settingsKey, null);
  }

  /** {@code --name}, a boolean flag standing for {@code key}. */
  public static Option settingFlag(String name, Key key) {
    return settingFlag(name, key.full());
  }

  /** {@code --name VALUE} that is not a setting (read with {@link ParsedArgs#value}). */
  public static Option value(String name, String valueName, String help) {
    return new Option(name, valueName, null, help);
  }

  /** {@code --name}, a boolean that is not a setting (read with {@link ParsedArgs#flag}). */
  public static Option flag(String name, String help) {
    return new Option(name, null, null, help);
  }

  public boolean takesValue() {
    return valueName != null;
  }

  /** {@code --name VALUE} or {@code --name}. */
  public String synopsis() {
    return "--" + name + (takesValue() ? " " + valueName : "");
  }

  /** The help line, then the default or "Required." and the key it sets. */
  public String describe() {
    if (settingsKey == null) return help;
    StringBuilder b = new StringBuilder(help != null ? help : SettingsReference.comment(settingsKey));
    Optional<String> dflt = SettingsReference.defaultValue(settingsKey);
    if (dflt.isPresent()) b.append(" Default: ").append(dflt.get()).append('.');
    b.append(" Sets ").append(settingsKey).append('.');
    return b.toString();
  }
}
