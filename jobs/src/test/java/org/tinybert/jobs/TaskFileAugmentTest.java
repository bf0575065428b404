package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.augment.AugmentRun;
import org.tinybert.augment.AugmentSummary;
import org.tinybert.config.AugmentSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.glue.GlueFormatException;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskFile;
import org.tinybert.glue.TaskTableReader;
import org.tinybert.io.InputException;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.training.TaskDistillation;

/**
 * {@code augment} on task files of the formats other than TSV, end to end on local[2] with the tiny golden masked LM
 * and the augment fixtures' GloVe: eight rows of the sample tables in CSV, JSON lines and Parquet, each with columns
 * augment must leave alone (a CSV cell that needs quoting, a nested JSON value and a decimal with a trailing zero,
 * Parquet numbers). The output is read back by the task reader, and task-distill takes it as its training set; bad
 * rows stop the run with one line naming file and line (Parquet: row and row group).
 */
class TaskFileAugmentTest {
  static final java.nio.file.Path ROOT = java.nio.file.Path.of("").toAbsolutePath().getParent();
  static final Configuration CONF = new Configuration();
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("TaskFileAugmentTest");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    ExecutorRuntime.clear();
  }

  static AugmentSettings settings(java.nio.file.Path taskFile, java.nio.file.Path output, String... more)
      throws Exception {
    String a = AugmentSettings.ROOT + ".";
    List<String> sets = new ArrayList<>(List.of(a + "task=\"" + taskFile + "\"", a + "output=\"" + output + "\"",
        a + "glove=\"" + resource("augment/glove.txt.gz") + "\"", a + "mlm=\"" + Golden.hadoopPath("teacher") + "\"",
        a + "variants=3", a + "top-k=5", a + "seed=11", a + "partitions=2"));
    sets.addAll(List.of(more));
    return AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), sets));
  }

  static String resource(String name) throws Exception {
    return java.nio.file.Path.of(TaskFileAugmentTest.class.getResource("/org/tinybert/" + name).toURI()).toString();
  }

  /** The first eight rows of a sample table (its header or nothing first). */
  static List<String> sample(String table, boolean header) throws Exception {
    return Files.readAllLines(ROOT.resolve("deploy/sample/tasks/" + table)).subList(0, header ? 9 : 8);
  }

  static TaskFile load(java.nio.file.Path taskFile) {
    return TaskFile.load(new Path(taskFile.toString()), CONF);
  }

  /** The task file's augmented table, read back as task-distill reads it; checks it is what it trains on. */
  static void assertTaskDistillTrainsOn(java.nio.file.Path taskFile, java.nio.file.Path output, long rows)
      throws Exception {
    TaskFile task = load(taskFile);
    assertEquals(rows, TaskData.read(task, Split.TRAIN_AUG, new Path(output.toString()), CONF).size());
    String k = TaskDistillSettings.ROOT + ".";
    TaskDistillSettings td = TaskDistillSettings.from(SettingsLoader.load(TaskDistillSettings.ROOT, Optional.empty(),
        List.of(k + "task=\"" + taskFile + "\"", k + "teacher=\"" + Golden.hadoopPath("student") + "\"",
            k + "student=\"" + Golden.hadoopPath("student") + "\"",
            k + "output=\"" + taskFile.getParent().resolve("td") + "\"", k + "stage=intermediate")));
    assertEquals(new Path(output.toString()), TaskDistillation.prepare(spark, td).trainFile());
  }

  /** Each output row: every cell but the texts as in the source row of the same id; some texts changed. */
  static void assertOnlyTextsChange(Map<String, List<String>> source, List<List<String>> out, String id,
      List<String> header, List<String> texts) {
    int changed = 0;
    for (List<String> row : out) {
      List<String> from = source.get(row.get(header.indexOf(id)));
      for (int c = 0; c < header.size(); c++) {
        if (texts.contains(header.get(c))) {
          if (!row.get(c).equals(from.get(c))) changed++;
        } else {
          assertEquals(from.get(c), row.get(c), header.get(c) + " of " + row);
        }
      }
    }
    assertTrue(changed > 0, "some text augmented");
  }

  @Test
  void aCsvTableKeepsItsOtherCellsAndTheOutputDoesNotDependOnPartitions() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("csv"));
    List<String> lines = new ArrayList<>(sample("reviews/train.csv", true));
    // A cell that needs quoting: a comma, quotes and a line break, in a column augment must leave alone.
    lines.set(3, lines.get(3).replace(",mail,", ",\"mail, \"\"by hand\"\"\nsecond line\","));
    Files.writeString(dir.resolve("train.csv"), String.join("\n", lines) + "\n");
    java.nio.file.Path taskFile = dir.resolve("reviews.conf");
    Files.writeString(taskFile, "train = train.csv\ndev = \"" + ROOT.resolve("deploy/sample/tasks/reviews/dev.csv")
        + "\"\ntrain-aug = train_aug.csv\nformat = csv\ntext = review\nlabel = label\nid = review_id\n"
        + "kind = classification\nlabels = [complaint, praise]\nmax-seq-length = 16\n");
    java.nio.file.Path output = dir.resolve("train_aug.csv");
    AugmentRun.Result r = AugmentJob.run(spark, settings(taskFile, output,
        AugmentSettings.ROOT + ".side-output=\"" + dir.resolve("side.jsonl") + "\""));
    AugmentSummary s = r.summary();
    assertEquals(8, s.inputRows());
    assertEquals(0, s.skippedRows());

    TaskFile task = load(taskFile);
    TaskTableReader.WholeTable in = TaskTableReader.readWhole(task, Split.TRAIN, new Path(dir.resolve("train.csv")
        .toString()), CONF, GlueReader.Options.defaults());
    TaskTableReader.WholeTable out = TaskTableReader.readWhole(task, Split.TRAIN, new Path(output.toString()), CONF,
        GlueReader.Options.defaults());
    assertEquals(in.header(), out.header());
    assertEquals(s.outputRows(), out.rows().size());
    assertTrue(s.outputRows() > 8, "variants written: " + s.outputRows());
    Map<String, List<String>> byId = new HashMap<>();
    for (TaskTableReader.WholeRow w : in.rows()) byId.put(((String[]) w.row())[0], List.of((String[]) w.row()));
    assertEquals("mail, \"by hand\"\nsecond line", byId.get("r002").get(2));
    List<List<String>> rows = out.rows().stream().map(w -> List.of((String[]) w.row())).toList();
    assertOnlyTextsChange(byId, rows, "review_id", in.header(), List.of("review"));
    // Each source row first, as it was, then its variants.
    assertEquals(byId.get("r000"), rows.get(0));
    List<String> side = Files.readAllLines(dir.resolve("side.jsonl"));
    assertEquals(s.outputRows(), side.size());
    assertEquals(1, JSON.readTree(side.get(0)).get("output_row").asInt());
    assertEquals(0, JSON.readTree(side.get(0)).get("variant").asInt());

    java.nio.file.Path again = dir.resolve("again.csv");
    AugmentJob.run(spark, settings(taskFile, again, AugmentSettings.ROOT + ".partitions=3"));
    assertArrayEquals(Files.readAllBytes(output), Files.readAllBytes(again), "the same rows on 3 partitions");
    assertTaskDistillTrainsOn(taskFile, output, s.outputRows());
  }

  @Test
  void aJsonLinesPairTableKeepsEveryOtherKeyAsItWas() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("jsonl"));
    List<String> lines = new ArrayList<>();
    for (String l : sample("pairs/train.jsonl", false)) {
      lines.add(l.substring(0, l.length() - 1) + ", \"weight\": 1.50, \"meta\": {\"tags\": [\"a\", 2], \"x\": null}}");
    }
    Files.writeString(dir.resolve("train.jsonl"), String.join("\n", lines) + "\n");
    java.nio.file.Path taskFile = dir.resolve("pairs.conf");
    Files.writeString(taskFile, "train = train.jsonl\ndev = \"" + ROOT.resolve("deploy/sample/tasks/pairs/dev.jsonl")
        + "\"\ntrain-aug = train_aug.jsonl\ntext = first\ntext-pair = second\nlabel = relation\nid = pair_id\n"
        + "kind = classification\nlabels = [different, same]\nmax-seq-length = 24\n");
    java.nio.file.Path output = dir.resolve("train_aug.jsonl");
    AugmentSummary s = AugmentJob.run(spark, settings(taskFile, output)).summary();
    assertEquals(8, s.inputRows());
    List<String> out = Files.readAllLines(output);
    assertEquals(s.outputRows(), out.size());
    assertTrue(s.outputRows() > 8, "variants written: " + s.outputRows());
    Map<String, JsonNode> byId = new HashMap<>();
    for (String l : lines) byId.put(JSON.readTree(l).get("pair_id").asText(), JSON.readTree(l));
    boolean first = false;
    boolean second = false;
    for (String l : out) {
      JsonNode o = JSON.readTree(l);
      JsonNode from = byId.get(o.get("pair_id").asText());
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      assertEquals(List.of("pair_id", "first", "second", "relation", "weight", "meta"), keys, l);
      for (String k : List.of("pair_id", "relation", "weight", "meta")) assertEquals(from.get(k), o.get(k), l);
      assertTrue(l.contains("\"weight\":1.50"), "the decimal's digits kept: " + l);
      // A variant changes one text of the pair, the other is the source row's.
      boolean a = !o.get("first").equals(from.get("first"));
      boolean b = !o.get("second").equals(from.get("second"));
      assertFalse(a && b, l);
      first |= a;
      second |= b;
    }
    assertTrue(first && second, "both texts of the pair augmented");
    assertTaskDistillTrainsOn(taskFile, output, s.outputRows());
  }

  @Test
  void aParquetDirectoryOfPartsBecomesOneParquetFileWithTheSameSchema() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("parquet"));
    java.nio.file.Path csv = dir.resolve("reviews.csv");
    Files.writeString(csv, String.join("\n", sample("reviews/train.csv", true)) + "\n");
    spark.read().option("header", true).csv(csv.toString()).selectExpr("review_id", "review",
        "cast(length(review) as int) as chars", "cast(length(review) / 3.0 as double) as score", "label")
        .coalesce(1).write().parquet(dir.resolve("train").toString());
    java.nio.file.Path taskFile = dir.resolve("reviews.conf");
    Files.writeString(taskFile, "train = train\ndev = \"" + ROOT.resolve("deploy/sample/tasks/reviews/dev.csv")
        + "\"\ntrain-aug = train_aug.parquet\ntext = review\nlabel = label\nid = review_id\n"
        + "kind = classification\nlabels = [complaint, praise]\nmax-seq-length = 16\n");
    java.nio.file.Path output = dir.resolve("train_aug.parquet");
    AugmentSummary s = AugmentJob.run(spark, settings(taskFile, output)).summary();
    assertEquals(8, s.inputRows());
    assertTrue(Files.isRegularFile(output), "one file");
    Dataset<Row> in = spark.read().parquet(dir.resolve("train").toString());
    Dataset<Row> out = spark.read().parquet(output.toString());
    assertEquals(in.schema(), out.schema());
    List<String> header = List.of(in.schema().fieldNames());
    Map<String, List<String>> byId = new HashMap<>();
    for (Row row : in.collectAsList()) byId.put(row.getString(0), cells(row));
    List<List<String>> rows = out.collectAsList().stream().map(TaskFileAugmentTest::cells).toList();
    assertEquals(s.outputRows(), rows.size());
    assertTrue(s.outputRows() > 8, "variants written: " + s.outputRows());
    assertOnlyTextsChange(byId, rows, "review_id", header, List.of("review"));
    assertTaskDistillTrainsOn(taskFile, output, s.outputRows());
  }

  static List<String> cells(Row row) {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) c.add(String.valueOf(row.get(i)));
    return c;
  }

  @Test
  void aBadCsvRowIsNamedByFileAndLine() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("bad-csv"));
    List<String> lines = new ArrayList<>(sample("reviews/train.csv", true));
    lines.set(4, "r003,,mail,complaint");
    Files.writeString(dir.resolve("train.csv"), String.join("\n", lines) + "\n");
    java.nio.file.Path taskFile = dir.resolve("reviews.conf");
    Files.writeString(taskFile, "train = train.csv\ntext = review\nlabel = label\nkind = classification\n");
    GlueFormatException e = assertThrows(GlueFormatException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.csv"))));
    assertEquals("file:" + dir.resolve("train.csv") + ":5: empty text in column 'review' (set bad-rows = "
        + "skip in task file " + new Path(taskFile.toString()) + " to skip and count such rows)", e.getMessage());
    assertFalse(Files.exists(dir.resolve("train_aug.csv")), "nothing written");

    // Skipped and counted, the other rows augmented.
    Files.writeString(taskFile, "train = train.csv\ntext = review\nlabel = label\nkind = classification\n"
        + "bad-rows = skip\n");
    AugmentSummary s = AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.csv"))).summary();
    assertEquals(8, s.inputRows());
    assertEquals(1, s.skippedRows());
    assertTrue(s.skippedReasons().get(0).endsWith("train.csv line 5: empty text in column 'review'"),
        s.skippedReasons().toString());
  }

  @Test
  void aJsonLineThatIsNotAnObjectIsNamedByFileAndLine() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("bad-jsonl"));
    List<String> lines = new ArrayList<>(sample("pairs/train.jsonl", false));
    lines.set(2, "[\"first\", \"second\"]");
    lines.set(5, lines.get(5).replace("\"second\":", "\"other\":"));
    Files.writeString(dir.resolve("train.jsonl"), String.join("\n", lines) + "\n");
    java.nio.file.Path taskFile = dir.resolve("pairs.conf");
    Files.writeString(taskFile, "train = train.jsonl\ntext = first\ntext-pair = second\nlabel = relation\n"
        + "kind = classification\n");
    GlueFormatException e = assertThrows(GlueFormatException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.jsonl"))));
    assertTrue(e.getMessage().startsWith("file:" + dir.resolve("train.jsonl")
        + ":3: expected a JSON object, found array"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());

    lines.set(2, lines.get(1));
    Files.writeString(dir.resolve("train.jsonl"), String.join("\n", lines) + "\n");
    e = assertThrows(GlueFormatException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.jsonl"))));
    assertTrue(e.getMessage().startsWith("file:" + dir.resolve("train.jsonl")
        + ":6: no value in column 'second'"), e.getMessage());
  }

  @Test
  void aParquetRowWithoutItsTextIsNamedByRowAndRowGroup() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("bad-parquet"));
    spark.sql("select * from values ('a b', 'x'), (cast(null as string), 'y'), ('c', 'x') as t(review, label)")
        .coalesce(1).write().parquet(dir.resolve("train").toString());
    java.nio.file.Path taskFile = dir.resolve("t.conf");
    Files.writeString(taskFile, "train = train\ntext = review\nlabel = label\nkind = classification\n");
    GlueFormatException e = assertThrows(GlueFormatException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.parquet"))));
    assertTrue(e.getMessage().matches(".*/train/part-[^:]*\\.parquet: row 2 \\(row group 0\\): no value in column "
        + "'review' \\(set bad-rows = skip.*"), e.getMessage());
  }

  @Test
  void aTableWithoutRowsIsRefusedBeforeTheModelsLoad() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(dir.resolve("train.jsonl"), "[1]\n");
    java.nio.file.Path taskFile = dir.resolve("t.conf");
    Files.writeString(taskFile, "train = train.jsonl\ntext = t\nlabel = l\nkind = classification\n"
        + "bad-rows = skip\n");
    InputException e = assertThrows(InputException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.jsonl"))));
    assertTrue(e.getMessage().endsWith("train.jsonl: no rows to augment (all 1 skipped as malformed: [file:"
        + dir.resolve("train.jsonl") + " line 1: expected a JSON object, found array])"), e.getMessage());
  }

  @Test
  void withFormatAutoTheOutputsNameMustSayTheTablesFormat() throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("auto"));
    Files.writeString(dir.resolve("train.csv"), String.join("\n", sample("reviews/train.csv", true)) + "\n");
    java.nio.file.Path taskFile = dir.resolve("reviews.conf");
    Files.writeString(taskFile, "train = train.csv\ntext = review\nlabel = label\nkind = classification\n");
    InputException e = assertThrows(InputException.class,
        () -> AugmentJob.run(spark, settings(taskFile, dir.resolve("train_aug.tsv"))));
    assertEquals("augment writes the training table's format, csv, and task file " + new Path(taskFile.toString())
        + " has format = auto, so the output's name must say csv (e.g. train_aug.csv), found "
        + new Path(dir.resolve("train_aug.tsv").toString()), e.getMessage());
  }
}
