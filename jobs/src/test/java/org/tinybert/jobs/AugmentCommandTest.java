package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.jobs.cli.CommandLine;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Io;
import org.tinybert.settings.BadRows;

/** {@code tinybert augment} from the command line: options to settings, the Spark run, the manifest, reruns. */
class AugmentCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static String resource(String name) throws Exception {
    return Path.of(AugmentCommandTest.class.getResource("/org/tinybert/" + name).toURI()).toString();
  }

  @Test
  void augmentsATrainingSet(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("train_aug.tsv");
    // What the launcher passes as -D options; the job itself never picks a master.
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    MainTest.Run r;
    try {
      r = MainTest.tinybert("augment", "--task", "SST-2", "--input", resource("augment/sst2_train.tsv"),
          "--glove", resource("augment/glove.txt.gz"), "--mlm", resource("golden/teacher"), "--output",
          out.toString(), "--variants", "3", "--top-k", "5", "--seed", "11");
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode summary = JSON.readTree(r.out());
    assertEquals(8, summary.get("inputRows").asInt());
    assertEquals(3, summary.get("variants").asInt());
    long rows = Files.readAllLines(out).size();
    assertEquals(rows - 1, summary.get("outputRows").asLong());
    assertTrue(rows > 9, "variants written: " + rows);
    JsonNode manifest = JSON.readTree(tmp.resolve("train_aug.tsv.manifest.json").toFile());
    assertEquals("augment", manifest.get("command").asText());
    assertEquals(8, manifest.get("run_id").asText().length());
    assertEquals(5, manifest.get("settings").get("topK").asInt());
    assertEquals(11, manifest.get("settings").get("seed").asInt());
    assertEquals(rows - 1, manifest.get("summary").get("outputRows").asLong());
  }

  /** {@code tinybert augment} on the SST-2 sample with local Spark, as the launcher runs it. */
  private static MainTest.Run augment(Path input, Path out, String seed, String... more) throws Exception {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      List<String> args = new ArrayList<>(List.of("augment", "--task", "sst-2", "--input", input.toString(),
          "--glove", resource("augment/glove.txt.gz"), "--mlm", resource("golden/teacher"), "--output",
          out.toString(), "--variants", "2", "--top-k", "3", "--seed", seed));
      args.addAll(List.of(more));
      return MainTest.tinybert(args.toArray(String[]::new));
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }

  /** A copy of the bundled SST-2 sample as tmp/train.tsv. */
  private static Path trainingSet(Path tmp) throws Exception {
    Path input = tmp.resolve("train.tsv");
    Files.copy(Path.of(resource("augment/sst2_train.tsv")), input);
    return input;
  }

  /** The file's identity on this file system: an atomic rewrite (new file renamed over it) changes it. */
  private static Object identity(Path file) throws Exception {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    Assumptions.assumeTrue(key != null, "this file system has no file keys to tell a rewritten file by");
    return key;
  }

  /**
   * The portable engine on the executors proposes what the CPU kernels propose: the same augmented rows; the
   * manifest records which engine ran.
   */
  @Test
  void bothEnginesWriteTheSameAugmentedSet(@TempDir Path tmp) throws Exception {
    Path input = trainingSet(tmp);
    Path cpu = tmp.resolve("cpu_aug.tsv");
    Path nd4j = tmp.resolve("nd4j_aug.tsv");
    MainTest.Run a = augment(input, cpu, "5", "--set", "tinybert.engine=cpu");
    assertEquals(ExitCodes.OK, a.exit(), a.err());
    MainTest.Run b = augment(input, nd4j, "5", "--set", "tinybert.engine=nd4j");
    assertEquals(ExitCodes.OK, b.exit(), b.err());
    assertEquals(Files.readAllLines(cpu), Files.readAllLines(nd4j));
    JsonNode manifest = JSON.readTree(tmp.resolve("nd4j_aug.tsv.manifest.json").toFile());
    assertEquals("nd4j", manifest.get("engine").get("engine").asText());
  }

  @Test
  void rerunWithTheSameSettingsAndInputsDoesNothing(@TempDir Path tmp) throws Exception {
    Path input = trainingSet(tmp);
    Path out = tmp.resolve("train_aug.tsv");
    Path manifest = tmp.resolve("train_aug.tsv.manifest.json");

    MainTest.Run first = augment(input, out, "11");
    assertEquals(ExitCodes.OK, first.exit(), first.err());
    assertFalse(JSON.readTree(first.out()).get("skipped").asBoolean(), first.out());
    Object outputId = identity(out);
    byte[] output = Files.readAllBytes(out);
    String runId = JSON.readTree(manifest.toFile()).get("run_id").asText();

    MainTest.Run again = augment(input, out, "11");
    assertEquals(ExitCodes.OK, again.exit(), again.err());
    JsonNode summary = JSON.readTree(again.out());
    assertTrue(summary.get("skipped").asBoolean(), again.out());
    // The recorded summary of the run that made the output, not a fresh count.
    assertEquals(JSON.readTree(first.out()).get("outputRows"), summary.get("outputRows"));
    assertEquals(outputId, identity(out), "the output was rewritten");
    assertArrayEquals(output, Files.readAllBytes(out));
    assertEquals(runId, JSON.readTree(manifest.toFile()).get("run_id").asText(), "the manifest was rewritten");

    MainTest.Run reseeded = augment(input, out, "12");
    assertEquals(ExitCodes.OK, reseeded.exit(), reseeded.err());
    assertFalse(JSON.readTree(reseeded.out()).get("skipped").asBoolean(), "a changed seed must recompute");
    assertNotEquals(runId, JSON.readTree(manifest.toFile()).get("run_id").asText());
    assertEquals(12, JSON.readTree(manifest.toFile()).get("settings").get("seed").asInt());
  }

  @Test
  void changedInputOrMissingManifestRecomputes(@TempDir Path tmp) throws Exception {
    Path input = trainingSet(tmp);
    Path out = tmp.resolve("train_aug.tsv");
    Path manifest = tmp.resolve("train_aug.tsv.manifest.json");
    assertEquals(ExitCodes.OK, augment(input, out, "11").exit());

    // The same bytes, written again: the quick check (size and time) cannot tell, so it recomputes.
    Files.setLastModifiedTime(input, FileTime.fromMillis(Files.getLastModifiedTime(input).toMillis() + 60_000));
    MainTest.Run touched = augment(input, out, "11");
    assertEquals(ExitCodes.OK, touched.exit(), touched.err());
    assertFalse(JSON.readTree(touched.out()).get("skipped").asBoolean(), "a changed input must recompute");

    // An output whose manifest never got written (a crash between the two) is not trusted.
    Files.delete(manifest);
    MainTest.Run orphan = augment(input, out, "11");
    assertEquals(ExitCodes.OK, orphan.exit(), orphan.err());
    assertFalse(JSON.readTree(orphan.out()).get("skipped").asBoolean(), orphan.out());
    assertTrue(Files.exists(manifest));

    // An output changed after its manifest was written is not the one the manifest describes.
    Files.writeString(out, "sentence\tlabel\n");
    MainTest.Run replaced = augment(input, out, "11");
    assertFalse(JSON.readTree(replaced.out()).get("skipped").asBoolean(), replaced.out());
    assertTrue(Files.readAllLines(out).size() > 9);
  }

  @Test
  void missingRequiredOptionsAreNamed() {
    MainTest.Run r = MainTest.tinybert("augment", "--task", "sst-2", "--output", "/tmp/x.tsv");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("tinybert.augment.input must be set (a path), found nothing; give it with --input"),
        r.err());
    assertTrue(r.err().contains("give it with --glove") && r.err().contains("give it with --mlm"), r.err());
  }

  /** {@code --bad-rows}, and {@code --malformed-rows}, its old name, still accepted with the same values. */
  @Test
  void badRowsAndItsOldNameAreOptions() throws Exception {
    List<String> required = List.of("--task", "sst-2", "--input", "/g/train.tsv", "--glove", "/g/glove.txt",
        "--mlm", "/models/bert", "--output", "/g/train_aug.tsv");
    AugmentCommand command = new AugmentCommand();
    for (String option : List.of("--bad-rows", "--malformed-rows")) {
      for (BadRows value : BadRows.values()) {
        List<String> args = new ArrayList<>(required);
        args.addAll(List.of(option, value.key()));
        assertEquals(value, command.settings(CommandLine.parse(command, args, Io.system())).malformedRows(),
            option + " " + value.key());
      }
    }
    MainTest.Run both = MainTest.tinybert("augment", "--task", "sst-2", "--input", "/g/train.tsv", "--glove",
        "/g/glove.txt", "--mlm", "/models/bert", "--output", "/g/train_aug.tsv", "--malformed-rows", "skip",
        "--bad-rows", "fail");
    assertEquals(ExitCodes.USAGE, both.exit());
    assertTrue(both.err().contains("tinybert.augment.malformed-rows = \"skip\" (")
        && both.err().contains("tinybert.augment.bad-rows = \"fail\" (") && both.err().contains("disagree"),
        both.err());
  }

  @Test
  void benchAugmentIsATwoWordCommand() throws Exception {
    MainTest.Run r = MainTest.tinybert("bench", "augment", "--model", "tiny", "--sentences", "1", "--words", "6",
        "--glove-words", "300", "--glove-dim", "8");
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode line = JSON.readTree(r.out());
    assertEquals("augment", line.get("bench").asText());
    assertTrue(line.get("same_output").asBoolean(), r.out());
    assertTrue(line.get("speedup").asDouble() > 0, r.out());
    MainTest.Run bare = MainTest.tinybert("bench");
    assertEquals(ExitCodes.USAGE, bare.exit());
    // A bare "bench" is the distillation benchmarks' command, which asks for the benchmark to run.
    assertTrue(bare.err().contains("tinybert bench BENCHMARK"), bare.err());
    assertTrue(MainTest.tinybert("--help", "bench", "augment").out().contains("Usage: tinybert bench augment"));
  }
}
