package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.jobs.cli.ExitCodes;

/** {@code tinybert augment} from the command line: options to settings, the Spark run, the manifest. */
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

  @Test
  void missingRequiredOptionsAreNamed() {
    MainTest.Run r = MainTest.tinybert("augment", "--task", "sst-2", "--output", "/tmp/x.tsv");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("tinybert.augment.input must be set (a path), found nothing; give it with --input"),
        r.err());
    assertTrue(r.err().contains("give it with --glove") && r.err().contains("give it with --mlm"), r.err());
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
