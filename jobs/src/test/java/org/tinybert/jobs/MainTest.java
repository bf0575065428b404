package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.tinybert.config.SettingsReference;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.CommandLine;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Io;
import org.tinybert.jobs.cli.Option;

class MainTest {
  /** One run of {@code tinybert} with its output captured. */
  record Run(int exit, String out, String err) {
    /** The output with runs of whitespace made single spaces, so wrapped help lines compare as one. */
    String flatOut() {
      return out.replaceAll("\\s+", " ");
    }
  }

  static Run tinybert(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit = Main.run(Main.commands(), List.of(args), io);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryCommandWithItsSummary() {
    Run r = tinybert("--help");
    assertEquals(ExitCodes.OK, r.exit());
    assertEquals("", r.err());
    for (Command c : Main.commands().commands()) {
      assertTrue(r.flatOut().matches(".* " + c.name() + " +\\Q" + c.summary() + "\\E .*"),
          c.name() + " missing from\n" + r.out());
    }
    assertEquals(r.out(), tinybert("help").out());
  }

  @Test
  void commandHelpListsEveryOptionWithItsReferenceComment() {
    for (Command c : Main.commands().commands()) {
      Run r = tinybert(c.name(), "--help");
      assertEquals(ExitCodes.OK, r.exit(), r.err());
      String argument = c.argument().map(a -> " " + a.valueName()).orElse("");
      assertTrue(r.out().startsWith("Usage: tinybert " + c.name() + argument + " [options]\n"), r.out());
      for (Option o : c.options()) {
        String comment = SettingsReference.comment(o.settingsKey());
        assertTrue(!comment.isEmpty(), o.settingsKey() + " has no comment in reference.conf");
        assertTrue(r.flatOut().contains(" " + o.synopsis() + " " + comment), o.synopsis() + " missing from\n" + r.out());
        assertTrue(r.flatOut().contains("Sets " + o.settingsKey() + "."), r.out());
      }
      for (Option o : CommandLine.COMMON_OPTIONS) {
        assertTrue(r.flatOut().contains(" " + o.synopsis() + " " + o.help()), o.synopsis() + " missing");
      }
      assertEquals(r.out(), tinybert("help", c.name()).out());
    }
  }

  @Test
  void helpShowsDefaultsOfSettingsWithOne() {
    Run r = tinybert("forward", "--help");
    assertTrue(r.flatOut().contains("Default: " + SettingsReference.defaultValue("tinybert.forward.max-seq-length")
        .orElseThrow() + ". Sets tinybert.forward.max-seq-length."), r.out());
  }

  @ParameterizedTest(name = "tinybert {0} -> {1}")
  @CsvFileSource(resources = "usage-errors.csv", delimiter = '|', quoteCharacter = '"')
  void badCommandLinesExitWithUsageAndSayWhy(String args, int exit, String firstLine) {
    Run r = tinybert(args.equals("~") ? new String[0] : args.split(" "));
    assertEquals(exit, r.exit(), r.err());
    assertEquals(firstLine, r.err().lines().findFirst().orElse(""), r.err());
    assertTrue(r.err().contains("--help"), "no hint to --help in\n" + r.err());
    assertEquals("", r.out());
  }

  @Test
  void badSetValueIsReportedWithKeyRuleValueAndOrigin() {
    Run r = tinybert("forward", "--model", "m", "--input", "i", "--output", "o",
        "--set", "tinybert.forward.max-seq-length=1");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertEquals(List.of(
        "tinybert forward: invalid settings:",
        "  - tinybert.forward.max-seq-length must be >= 2, found 1 (--set on the command line)",
        "Run 'tinybert forward --help' for its options and settings."), r.err().lines().toList());
  }

  @Test
  void everySettingsProblemIsReportedAtOnceWithFileLineAndOptionHints(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("job.conf");
    Files.writeString(conf, String.join("\n",
        "tinybert.forward {",
        "  input = /data/dev.tsv",
        "  max-seq-length = many",
        "  epochz = 3",
        "}",
        ""));
    Run r = tinybert("forward", "--config", conf.toString(), "--output", "");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertEquals(List.of(
        "tinybert forward: invalid settings:",
        "  - tinybert.forward.model must be set (a path), found nothing; give it with --model",
        "  - tinybert.forward.output must not be empty, found \"\" (--output on the command line)",
        "  - tinybert.forward.max-seq-length must be an integer, found \"many\" (" + conf + ": 3)",
        "  - unknown key tinybert.forward.epochz (" + conf + ": 4)",
        "Run 'tinybert forward --help' for its options and settings."), r.err().lines().toList());
  }

  @Test
  void aCommandsArgumentStandsForItsSettingAndIsHintedWhenMissing() {
    Run missing = tinybert("bench", "--steps", "2");
    assertEquals(ExitCodes.USAGE, missing.exit());
    assertEquals("  - tinybert.bench.benchmark must be set (one of distill-step, inference), found nothing; give it as"
        + " the first argument, e.g. tinybert bench BENCHMARK", missing.err().lines().skip(1).findFirst().orElse(""),
        missing.err());
    Run wrong = tinybert("bench", "distil-step");
    assertEquals(ExitCodes.USAGE, wrong.exit());
    assertTrue(wrong.err().contains("tinybert.bench.benchmark must be one of distill-step, inference"), wrong.err());
    assertTrue(wrong.err().contains("(the benchmark argument on the command line)"), wrong.err());
    Run help = tinybert("bench", "--help");
    assertTrue(help.flatOut().contains("Argument: BENCHMARK What to time: distill-step"), help.out());
  }

  @Test
  void validCommandLineReachesTheCommandBody() {
    Run r = tinybert("tokenize", "--vocab", "no-such-vocab.txt");
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains("no-such-vocab.txt"), r.err());
  }

}
