package org.tinybert.jobs.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tinybert.config.ForwardSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.SettingsReference;
import org.tinybert.config.Suggestions;
import org.tinybert.io.OutputHold;
import org.tinybert.model.EngineChoice;

/**
 * Parses {@code tinybert <command>}'s arguments against the command's option table, and writes the help from that
 * same table, so the two cannot disagree.
 *
 * <p>Accepted: {@code --name value}, {@code --name=value}, boolean {@code --name} (or {@code --name=false}),
 * repeated {@code --set key=value}, {@code --config FILE}, {@code --help}, and first, for a command that has one,
 * its {@link Command#argument()}. There are no other positional arguments.
 * Hand-written rather than taken from a library because the table also has to drive settings keys and help from
 * {@code reference.conf}, which none of the usual parsers (commons-cli, picocli) know about.
 */
public final class CommandLine {
  static final String CONFIG = "config";
  static final String SET = "set";
  static final String HELP = "help";

  /** Options every command has. */
  public static final List<Option> COMMON_OPTIONS = List.of(
      Option.value(CONFIG, "FILE", "HOCON file of settings overriding reference.conf; any Hadoop path (a local one"
          + " may include files beside it)."),
      Option.value(SET, "KEY=VALUE", "Sets one settings key, e.g. --set "
          + ForwardSettings.SECTION.key("max-seq-length").full() + "=64;"
          + " repeatable, the last one wins. VALUE is HOCON when it is a number, true/false, null, a [list], an"
          + " {object} or a \"quoted string\", and is taken literally otherwise, so paths and URIs need no quotes."),
      Option.flag(HELP, "Shows this help."));

  private static final int WIDTH = 100;

  private CommandLine() {}

  /** Parses {@code args} (everything after the command name). */
  public static ParsedArgs parse(Command command, List<String> args, Io io) throws UsageException {
    Map<String, Option> table = table(command);
    Optional<String> configFile = Optional.empty();
    List<SettingsLoader.Assignment> assignments = new ArrayList<>();
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    boolean help = false;

    int first = 0;
    Optional<Option> argument = command.argument();
    if (argument.isPresent() && !args.isEmpty() && !args.get(0).startsWith("-")) {
      assignments.add(SettingsLoader.Assignment.option("the " + argument.get().name() + " argument",
          argument.get().settingsKey(), args.get(0)));
      first = 1;
    }
    for (int i = first; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("-h")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument " + quote(arg)
            + (arg.startsWith("-") && !arg.startsWith("--") ? " (options start with --)" : "")
            + "; " + command.name() + " takes " + command.argument().map(a -> "one " + a.valueName()
                + " first, then ").orElse("") + "options only");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      Option option = table.get(name);
      if (option == null) {
        throw new UsageException("unknown option --" + name
            + Suggestions.closest(name, table.keySet()).map(s -> " (did you mean --" + s + "?)").orElse(""));
      }

      String value;
      if (!option.takesValue()) {
        value = inline == null ? "true" : inline;
        if (option.settingsKey() == null && !value.equals("true") && !value.equals("false")) {
          throw new UsageException("--" + name + " is true or false, found " + quote(value));
        }
      } else if (inline != null) {
        value = inline;
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException("--" + name + " needs a value (" + option.synopsis() + ")");
      }

      if (name.equals(HELP)) {
        help = value.equals("true");
      } else if (name.equals(CONFIG)) {
        if (configFile.isPresent()) throw new UsageException("--config given twice; merge the files with include");
        configFile = Optional.of(value);
      } else if (name.equals(SET)) {
        assignments.add(SettingsLoader.Assignment.set(value));
      } else if (option.settingsKey() != null) {
        assignments.add(SettingsLoader.Assignment.option("--" + name, option.settingsKey(), value));
      } else if (option.takesValue()) {
        values.put(name, value);
      } else if (value.equals("true")) {
        flags.add(name);
      } else {
        flags.remove(name);
      }
    }
    return new ParsedArgs(command, configFile, assignments, values, flags, help, io);
  }

  /** {@code tinybert <command> --help}. */
  public static String help(Command command) {
    StringBuilder b = new StringBuilder();
    b.append("Usage: tinybert ").append(command.name())
        .append(command.argument().map(a -> " " + a.valueName()).orElse("")).append(" [options]\n\n");
    b.append(wrap(command.summary(), 0)).append("\n\n");
    List<Option> own = command.options();
    int column = 2 + Math.min(26, maxSynopsis(own, COMMON_OPTIONS)) + 2;
    if (command.argument().isPresent()) {
      Option a = command.argument().get();
      b.append("Argument:\n");
      row(b, a.valueName(), a.describe(), column);
      b.append('\n');
    }
    if (!own.isEmpty()) {
      b.append("Options:\n");
      for (Option o : own) row(b, o.synopsis(), o.describe(), column);
      b.append('\n');
    }
    b.append("Common options:\n");
    for (Option o : COMMON_OPTIONS) row(b, o.synopsis(), o.describe(), column);

    // Keys without an option of their own are still settable; list them so --help documents the whole section.
    Set<String> withOption = new HashSet<>();
    for (Option o : own) if (o.settingsKey() != null) withOption.add(o.settingsKey());
    command.argument().ifPresent(a -> withOption.add(a.settingsKey()));
    List<String> others = new ArrayList<>(SettingsReference.keys(command.settingsRoot()).stream()
        .filter(k -> !withOption.contains(k)).toList());
    // The keys outside the section: the engine every job and benchmark reads, the hold every job with an output.
    if (SettingsReference.isKnown(EngineChoice.KEY)) others.add(EngineChoice.KEY);
    if (command.holdsOutput() && SettingsReference.isKnown(OutputHold.STALE_AFTER_KEY)) {
      others.add(OutputHold.STALE_AFTER_KEY);
    }
    if (!others.isEmpty()) {
      b.append("\nOther settings (give them in --config or with --set):\n");
      for (String key : others) {
        String text = SettingsReference.comment(key)
            + SettingsReference.defaultValue(key).map(d -> " Default: " + d + ".").orElse("");
        row(b, key, text, Math.min(2 + maxLength(others) + 2, 44));
      }
    }
    return b.toString();
  }

  /** {@code tinybert --help}. */
  public static String overview(CommandRegistry registry) {
    StringBuilder b = new StringBuilder();
    b.append("Usage: tinybert <command> [options]\n\n");
    b.append("TinyBERT knowledge distillation as Spark jobs.\n\n");
    b.append("Commands:\n");
    int column = 2 + registry.commands().stream().mapToInt(c -> c.name().length()).max().orElse(0) + 3;
    for (Command c : registry.commands()) row(b, c.name(), c.summary(), column);
    b.append('\n');
    b.append(wrap("Run 'tinybert <command> --help' for a command's options and settings. Settings come from"
        + " reference.conf, then --config FILE, then --set KEY=VALUE and options, the last one winning. Spark runs"
        + " in-process on local[*] unless spark.master says otherwise (SPARK_MASTER with deploy/bin/tinybert).", 0));
    b.append('\n');
    return b.toString();
  }

  private static Map<String, Option> table(Command command) {
    Map<String, Option> table = new LinkedHashMap<>();
    for (Option o : COMMON_OPTIONS) table.put(o.name(), o);
    for (Option o : command.options()) {
      if (table.put(o.name(), o) != null) {
        throw new IllegalStateException(command.name() + " declares --" + o.name() + " twice or over a common option");
      }
    }
    return table;
  }

  private static int maxSynopsis(List<Option> a, List<Option> b) {
    int m = 0;
    for (Option o : a) m = Math.max(m, o.synopsis().length());
    for (Option o : b) m = Math.max(m, o.synopsis().length());
    return m;
  }

  private static int maxLength(List<String> s) {
    return s.stream().mapToInt(String::length).max().orElse(0);
  }

  /** "  left   text..." with the text wrapped under itself; a left part too wide gets its own line. */
  private static void row(StringBuilder b, String left, String text, int column) {
    String head = "  " + left;
    if (head.length() + 1 > column) {
      b.append(head).append('\n').append(" ".repeat(column));
    } else {
      b.append(head).append(" ".repeat(column - head.length()));
    }
    b.append(wrap(text, column)).append('\n');
  }

  private static String wrap(String text, int indent) {
    StringBuilder b = new StringBuilder();
    int col = indent;
    for (String word : text.strip().split("\\s+")) {
      if (col > indent && col + 1 + word.length() > WIDTH) {
        b.append('\n').append(" ".repeat(indent));
        col = indent;
      } else if (col > indent) {
        b.append(' ');
        col++;
      }
      b.append(word);
      col += word.length();
    }
    return b.toString();
  }

  private static String quote(String s) {
    return "'" + s + "'";
  }
}
