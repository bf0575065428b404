package org.tinybert.jobs;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.commons.io.output.TeeOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.SettingsException;
import org.tinybert.config.Suggestions;
import org.tinybert.io.InputException;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.CommandLine;
import org.tinybert.jobs.cli.CommandRegistry;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Io;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.jobs.cli.UsageException;

/**
 * {@code tinybert <command> [options]}: the one entry point, for {@code deploy/bin/tinybert} and spark-submit alike.
 * The only place that calls {@code System.exit}, and only when the JVM is its own: not in cluster deploy mode.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** Every command, in the order {@code tinybert --help} lists them. */
  public static CommandRegistry commands() {
    return new CommandRegistry()
        .register(new TokenizeCommand())
        .register(new ForwardCommand())
        .register(new DistillLossCommand())
        .register(new GeneralDistillCommand())
        .register(new AugmentCommand())
        .register(new FinetuneTeacherCommand())
        .register(new TaskDistillCommand())
        .register(new EvaluateCommand())
        .register(new PredictCommand())
        .register(new InferCommand())
        .register(new MetricsCommand())
        .register(new ReportCommand())
        .register(new BenchCommand())
        .register(new BenchAugmentCommand())
        .register(new BenchInferCommand());
  }

  public static void main(String[] args) {
    if (!inClusterDeployMode()) {
      System.exit(run(commands(), Arrays.asList(args), Io.system()));
    }
    // In cluster deploy mode main runs inside Spark's driver wrapper (on YARN the ApplicationMaster), which reports
    // the application's final status only after main returns: System.exit, even with 0, kills it before it reports,
    // YARN records the run FAILED and starts another attempt. So return on success, and on failure throw with what
    // the command printed, which YARN keeps as the application's diagnostics.
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(new TeeOutputStream(System.err, printed), true, StandardCharsets.UTF_8);
    int code = run(commands(), Arrays.asList(args), new Io(System.in, System.out, err));
    err.flush();
    if (code != ExitCodes.OK) {
      String reason = printed.toString(StandardCharsets.UTF_8).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("Run 'tinybert")).collect(Collectors.joining(" "));
      throw new CommandFailedException("exit code " + code + ": " + reason);
    }
  }

  /** Whether this JVM is a driver that spark-submit started on the cluster ({@code --deploy-mode cluster}). */
  static boolean inClusterDeployMode() {
    return "cluster".equals(System.getProperty("spark.submit.deployMode"));
  }

  /** A command that failed in cluster deploy mode, where its exit code cannot be the process's. */
  static final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailedException(String message) {
      super(message);
    }
  }

  /** Runs one command line and returns the exit code ({@link ExitCodes}). */
  public static int run(CommandRegistry registry, List<String> args, Io io) {
    if (args.isEmpty()) {
      io.err().print(CommandLine.overview(registry));
      return ExitCodes.USAGE;
    }
    String first = args.get(0);
    if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
      Optional<Command> about = args.size() > 2 ? registry.find(args.get(1) + " " + args.get(2))
          : Optional.empty();
      if (about.isEmpty() && args.size() > 1) about = registry.find(args.get(1));
      if (about.isPresent()) {
        io.out().print(CommandLine.help(about.get()));
      } else {
        io.out().print(CommandLine.overview(registry));
      }
      return ExitCodes.OK;
    }
    // Two-word commands (bench augment) before one-word ones.
    int words = 1;
    Command command = null;
    if (args.size() > 1) {
      command = registry.find(first + " " + args.get(1)).orElse(null);
      if (command != null) words = 2;
    }
    if (command == null) command = registry.find(first).orElse(null);
    List<String> sub = registry.names().stream().filter(n -> n.startsWith(first + " ")).toList();
    if (command == null && !sub.isEmpty()) {
      io.err().println("tinybert: " + first + " needs a second word: " + String.join(", ", sub));
      return ExitCodes.USAGE;
    }
    if (command == null) {
      io.err().println("tinybert: " + (first.startsWith("-") ? "the command comes first, found " + first
          : "unknown command " + first + Suggestions.didYouMean(first, registry.names())));
      io.err().println("Run 'tinybert --help' for the commands.");
      return ExitCodes.USAGE;
    }

    ParsedArgs parsed;
    try {
      parsed = CommandLine.parse(command, args.subList(words, args.size()), io);
    } catch (UsageException e) {
      io.err().println("tinybert " + command.name() + ": " + e.getMessage());
      io.err().println("Run 'tinybert " + command.name() + " --help' for its options.");
      return ExitCodes.USAGE;
    }
    if (parsed.help()) {
      io.out().print(CommandLine.help(command));
      return ExitCodes.OK;
    }

    try {
      return command.run(parsed);
    } catch (SettingsException e) {
      io.err().println("tinybert " + command.name() + ": invalid settings:");
      for (SettingsException.Problem p : e.problems()) {
        io.err().println("  - " + p.message() + optionHint(command, p));
      }
      io.err().println("Run 'tinybert " + command.name() + " --help' for its options and settings.");
      return ExitCodes.USAGE;
    } catch (Exception e) {
      Optional<String> input = inputProblem(e);
      if (input.isPresent()) {
        // The user's input, not a bug: one line says what is wrong; the trace only at debug level.
        LOG.debug("tinybert {}: {}", command.name(), input.get(), e);
        io.err().println("tinybert " + command.name() + ": " + input.get());
        return ExitCodes.FAILURE;
      }
      LOG.error("tinybert {} failed", command.name(), e);
      io.err().println("tinybert " + command.name() + ": failed: " + e);
      return ExitCodes.FAILURE;
    }
  }

  /**
   * The message of a problem with the user's input somewhere in {@code e}'s causes (an {@link InputException}, a
   * missing file; on an executor too, when Spark hands the task's exception back), as one line.
   */
  static Optional<String> inputProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InputException || t instanceof FileNotFoundException || t instanceof NoSuchFileException) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return Optional.of(m.strip().replaceAll("\\s*\\R\\s*", "; "));
      }
    }
    return Optional.empty();
  }

  /** For a required key left unset: the option that gives it, if the command has one. */
  private static String optionHint(Command command, SettingsException.Problem p) {
    if (!p.missing()) return "";
    for (Option o : command.options()) {
      if (p.key().equals(o.settingsKey())) return "; give it with --" + o.name();
    }
    if (command.argument().isPresent() && p.key().equals(command.argument().get().settingsKey())) {
      return "; give it as the first argument, e.g. tinybert " + command.name() + " " + command.argument().get()
          .valueName();
    }
    return "";
  }
}
