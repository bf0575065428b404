package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.glue.GlueFormatException;
import org.tinybert.testing.LocalSpark;
import org.tinybert.text.BertTokenizer;

/** The Spark job on local[2]: layout, originals, variants, side file, determinism, and bad input. */
class AugmentPipelineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("AugmentPipelineTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  static String out(String name) {
    return tmp.resolve(name).toString();
  }

  static String glue(String file) {
    return AugmentFixtures.path("../glue/" + file).toString();
  }

  @Test
  void sst2KeepsHeaderAndOriginalsAndRecordsEveryReplacement() throws Exception {
    AugmentSummary s = AugmentPipeline.run(spark, SparkTests.settings("sst-2",
        AugmentFixtures.path("sst2_train.tsv").toString(), out("sst2_aug.tsv"),
        "side-output=" + out("sst2_side.jsonl")));
    List<String> in = SparkTests.lines(AugmentFixtures.file("sst2_train.tsv"));
    List<String> aug = SparkTests.lines(tmp.resolve("sst2_aug.tsv"));
    List<String> side = SparkTests.lines(tmp.resolve("sst2_side.jsonl"));
    assertEquals(in.get(0), aug.get(0));
    assertEquals(in.size() - 1, s.inputRows());
    assertEquals(0, s.skippedRows());
    assertEquals(aug.size() - 1, s.outputRows());
    assertEquals(aug.size() - 1, side.size());
    assertEquals(6, s.variants());
    assertTrue(s.mlmWords() > 0 && s.gloveWords() > 0, s.toString());
    assertTrue(aug.size() > 2 * in.size(), "variants were written: " + aug.size());

    BertTokenizer tok = AugmentFixtures.teacher().tokenizer();
    GloveNeighbours glove = new GloveNeighbours(AugmentFixtures.glove(), 15, 8);
    int original = 0;
    List<String> tokens = null;
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < aug.size(); i++) {
      JsonNode rec = JSON.readTree(side.get(i - 1));
      assertEquals(i + 1, rec.get("output_line").asInt());
      String[] f = aug.get(i).split("\t", -1);
      if (rec.get("variant").asInt() == 0) {
        // Originals come in input order, each as it was.
        original++;
        assertEquals(in.get(original), aug.get(i));
        assertEquals(original + 1, rec.get("line").asInt());
        assertTrue(rec.get("column").isNull());
        tokens = tok.basicTokenize(f[0]);
        seen.clear();
        continue;
      }
      assertEquals(0, rec.get("column").asInt());
      assertEquals(original + 1, rec.get("line").asInt());
      assertEquals(in.get(original).split("\t")[1], f[1], "the label is kept");
      assertTrue(seen.add(f[0]), "no duplicate variants: " + f[0]);
      assertTrue(seen.size() <= 6);
      String[] words = f[0].split(" ");
      assertEquals(tokens.size(), words.length, f[0]);
      Map<Integer, JsonNode> replaced = new java.util.HashMap<>();
      rec.get("replaced").forEach(r -> replaced.put(r.get("token").asInt(), r));
      for (int t = 0; t < words.length; t++) {
        JsonNode r = replaced.get(t);
        if (r == null) {
          assertEquals(tokens.get(t), words[t]);
          continue;
        }
        assertEquals(tokens.get(t), r.get("word").asText());
        assertEquals(words[t], r.get("replacement").asText());
        assertTrue(StopWords.isCandidate(tokens.get(t)));
        if (r.get("source").asText().equals("glove")) {
          assertTrue(glove.nearestOne(tokens.get(t)).contains(words[t]), r.toString());
        } else {
          assertEquals("mlm", r.get("source").asText());
          assertTrue(tok.vocab().contains(words[t]) && !words[t].startsWith("##"), r.toString());
        }
      }
    }
    assertEquals(in.size() - 1, original);
    assertEquals(List.of(), List.of(tmp.toFile().list((d, n) -> n.startsWith(".") && !n.endsWith(".crc"))),
        "no temporary files left (only the checksums of Hadoop's local file system)");
  }

  @Test
  void theSameWhateverThePartitions() throws Exception {
    AugmentSummary one = AugmentPipeline.run(spark, SparkTests.settings("sst-2",
        AugmentFixtures.path("sst2_train.tsv").toString(), out("p1.tsv"), "partitions=1",
        "side-output=" + out("p1.jsonl")));
    AugmentSummary three = AugmentPipeline.run(spark, SparkTests.settings("sst-2",
        AugmentFixtures.path("sst2_train.tsv").toString(), out("p3.tsv"), "partitions=3", "batch-size=3",
        "side-output=" + out("p3.jsonl")));
    assertEquals(1, one.partitions());
    assertTrue(three.partitions() >= 3, three.toString());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("p1.tsv")), Files.readAllBytes(tmp.resolve("p3.tsv")));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("p1.jsonl")), Files.readAllBytes(tmp.resolve("p3.jsonl")));
    AugmentPipeline.run(spark, SparkTests.settings("sst-2", AugmentFixtures.path("sst2_train.tsv").toString(),
        out("seed7.tsv"), "seed=7"));
    assertNotEquals(SparkTests.lines(tmp.resolve("p1.tsv")), SparkTests.lines(tmp.resolve("seed7.tsv")));
  }

  @Test
  void pairTasksAugmentEachSentenceWithTheOtherKept() throws Exception {
    AugmentSummary s = AugmentPipeline.run(spark, SparkTests.settings("mrpc",
        AugmentFixtures.path("mrpc_train.tsv").toString(), out("mrpc_aug.tsv"), "task-variants=true"));
    assertEquals(30, s.variants());
    List<String> in = SparkTests.lines(AugmentFixtures.file("mrpc_train.tsv"));
    List<String> aug = SparkTests.lines(tmp.resolve("mrpc_aug.tsv"));
    assertEquals(in.get(0).substring(1), aug.get(0), "header kept, byte-order mark dropped");
    int original = 0;
    int[] changed = new int[5];
    for (String row : aug.subList(1, aug.size())) {
      if (original < in.size() - 1 && row.equals(in.get(original + 1))) {
        original++;
        continue;
      }
      String[] o = in.get(original).split("\t");
      String[] f = row.split("\t");
      int diff = 0;
      for (int c = 0; c < 5; c++) {
        if (!o[c].equals(f[c])) {
          diff++;
          changed[c]++;
        }
      }
      assertEquals(1, diff, row);
    }
    assertEquals(in.size() - 1, original);
    assertEquals(0, changed[0] + changed[1] + changed[2]);
    assertTrue(changed[3] > 0 && changed[4] > 0, java.util.Arrays.toString(changed));
  }

  @Test
  void filesWithoutHeaderAugmentTheirFirstRow() throws Exception {
    AugmentPipeline.run(spark, SparkTests.settings("cola", glue("CoLA/train.tsv"), out("cola_aug.tsv")));
    List<String> in = SparkTests.lines(AugmentFixtures.file("../glue/CoLA/train.tsv"));
    List<String> aug = SparkTests.lines(tmp.resolve("cola_aug.tsv"));
    assertEquals(in.get(0), aug.get(0));
    assertTrue(aug.get(1).startsWith("gj04\t1\t\t"), aug.get(1));
    assertNotEquals(in.get(1), aug.get(1));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      sst2_missing_column.tsv | 3 | expected at least 2 tab-separated columns, found 1
      sst2_latin1.tsv         | 4 | invalid UTF-8 at byte 6 of the line: expected a UTF-8 character, found 0xE9
      """)
  void badRowsNameFileAndLineOrAreSkipped(String file, int line, String message) throws Exception {
    String input = AugmentFixtures.path(file).toString();
    GlueFormatException e = assertThrows(GlueFormatException.class,
        () -> AugmentPipeline.run(spark, SparkTests.settings("sst-2", input, out("bad_" + file))));
    assertEquals(line, e.line());
    assertTrue(e.getMessage().startsWith(input + ":" + line + ": " + message), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("bad_" + file)));

    AugmentSummary s = AugmentPipeline.run(spark, SparkTests.settings("sst-2", input, out("skip_" + file),
        "bad-rows=skip"));
    assertEquals(1, s.skippedRows());
    assertTrue(s.skippedReasons().get(0).startsWith("line " + line + ": "), s.skippedReasons().toString());
    List<String> in = Files.readAllLines(AugmentFixtures.file(file), java.nio.charset.StandardCharsets.ISO_8859_1);
    List<String> aug = SparkTests.lines(tmp.resolve("skip_" + file));
    List<String> originals = new ArrayList<>(in);
    originals.remove(line - 1);
    assertEquals(originals, aug.stream().filter(in::contains).distinct().toList(), "every row but the bad one");
    assertTrue(aug.stream().allMatch(r -> r.split("\t", -1).length == 2));
  }

  @Test
  void qqpSkipsItsBrokenRowsByDefault() throws Exception {
    AugmentSummary s = AugmentPipeline.run(spark, SparkTests.settings("qqp", glue("QQP/train.tsv"), out("qqp.tsv")));
    assertEquals(2, s.skippedRows(), s.toString());
  }

  @Test
  void aGloveLineOfTheWrongDimensionStopsTheJobBeforeAnyTask() {
    String input = AugmentFixtures.path("sst2_train.tsv").toString();
    GloveFormatException e = assertThrows(GloveFormatException.class, () -> AugmentPipeline.run(spark,
        SparkTests.settings("sst-2", input, out("never.tsv"), "glove=" + AugmentFixtures.path("glove_bad_dim.txt"))));
    assertEquals(4, e.line());
    assertTrue(e.getMessage().startsWith(AugmentFixtures.path("glove_bad_dim.txt") + ":4: expected 8 numbers"));
    assertFalse(Files.exists(tmp.resolve("never.tsv")));
  }
}
