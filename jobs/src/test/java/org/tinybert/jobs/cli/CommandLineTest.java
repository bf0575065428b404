package org.tinybert.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.config.ForwardSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TokenizeSettings;
import org.tinybert.jobs.ForwardCommand;
import org.tinybert.jobs.TokenizeCommand;

class CommandLineTest {
  private static final ForwardCommand FORWARD = new ForwardCommand();
  private static final TokenizeCommand TOKENIZE = new TokenizeCommand();

  private static ParsedArgs parse(Command c, String... args) throws UsageException {
    return CommandLine.parse(c, List.of(args), Io.system());
  }

  @Test
  void optionsSetAndConfigBecomeOrderedAssignments() throws Exception {
    ParsedArgs a = parse(FORWARD, "--model", "m", "--input=hdfs://nn:8020/dev.tsv", "--config", "x.conf",
        "--set", "tinybert.forward.output=/o");
    assertEquals(Optional.of("x.conf"), a.configFile());
    assertEquals(List.of(
        new SettingsLoader.Assignment("tinybert.forward.model=m", "--model on the command line"),
        new SettingsLoader.Assignment("tinybert.forward.input=hdfs://nn:8020/dev.tsv", "--input on the command line"),
        new SettingsLoader.Assignment("tinybert.forward.output=/o", SettingsLoader.SET_ORIGIN)), a.assignments());
    assertFalse(a.help());
  }

  @ParameterizedTest(name = "{0} then {1} -> {2}")
  @CsvSource({
      "--max-seq-length=32,                          --set=tinybert.forward.max-seq-length=64, 64",
      "--set=tinybert.forward.max-seq-length=64,     --max-seq-length=32,                      32",
      "--set=tinybert.forward.max-seq-length=16,     --set=tinybert.forward.max-seq-length=48, 48",
  })
  void setReachesTheSettingsAndTheLastAssignmentWins(String first, String second, int expected) throws Exception {
    ParsedArgs a = parse(FORWARD, "--model", "m", "--input", "i", "--output", "o", first, second);
    ForwardSettings s = FORWARD.settings(a);
    assertEquals(expected, s.maxSeqLength());
    assertEquals(new Path("m"), s.model());
  }

  @ParameterizedTest(name = "{0} -> cased {1}")
  @CsvSource({"--cased, true", "--cased=true, true", "--cased=false, false", "--cased=off, false"})
  void booleanSettingFlags(String flag, boolean cased) throws Exception {
    TokenizeSettings s = TOKENIZE.settings(parse(TOKENIZE, "--vocab", "v.txt", flag));
    assertEquals(cased, s.cased());
  }

  @Test
  void helpAnywhereAsksForHelp() throws Exception {
    assertTrue(parse(FORWARD, "--model", "m", "--help").help());
    assertTrue(parse(FORWARD, "-h").help());
  }

  @Test
  void valuesMayStartWithASingleDash() throws Exception {
    ParsedArgs a = parse(TOKENIZE, "--input", "-", "--max-seq-length", "-1");
    assertEquals("tinybert.tokenize.input=-", a.assignments().get(0).assignment());
    assertEquals("tinybert.tokenize.max-seq-length=-1", a.assignments().get(1).assignment());
  }

  @Test
  void unknownOptionSuggestsTheClosest() {
    UsageException e = assertThrows(UsageException.class, () -> parse(TOKENIZE, "--vocb", "v"));
    assertEquals("unknown option --vocb (did you mean --vocab?)", e.getMessage());
  }

  @Test
  void optionTablesRefuseKeysReferenceConfLacks() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Option.setting("epochs", "N", "tinybert.forward.epochs"));
    assertEquals("--epochs stands for tinybert.forward.epochs, which reference.conf lacks", e.getMessage());
  }

  @Test
  void otherSettingsWithoutAnOptionAreStillListedInHelp() {
    Command partial = new Command() {
      @Override
      public String name() {
        return "partial";
      }

      @Override
      public String summary() {
        return "A command with an option for one of its keys only.";
      }

      @Override
      public String settingsRoot() {
        return ForwardSettings.ROOT;
      }

      @Override
      public List<Option> options() {
        return List.of(Option.setting("model", "DIR", "tinybert.forward.model"));
      }

      @Override
      public int run(ParsedArgs args) {
        return ExitCodes.OK;
      }
    };
    String help = CommandLine.help(partial).replaceAll("\\s+", " ");
    assertTrue(help.contains("Other settings (give them in --config or with --set): tinybert.forward.input "),
        help);
    assertTrue(help.contains(" tinybert.forward.max-seq-length Tokens per text example"), help);
    assertFalse(help.contains(" tinybert.forward.model "), help);
  }

  /** The hold's limit is listed by the commands that hold their output, and only by them. */
  @Test
  void helpListsTheHoldLimitWhereTheCommandHoldsItsOutput() {
    String distill = CommandLine.help(new org.tinybert.jobs.GeneralDistillCommand()).replaceAll("\\s+", " ");
    assertTrue(distill.contains(" tinybert.hold.stale-after How old a hold's heartbeat may grow"), distill);
    assertTrue(distill.contains("Default: \"3m\"."), distill);
    assertFalse(CommandLine.help(FORWARD).contains("tinybert.hold.stale-after"));
  }
}
