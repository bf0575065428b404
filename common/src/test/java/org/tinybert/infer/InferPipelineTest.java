package org.tinybert.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.infer.InferFixtures.assertClose;
import static org.tinybert.infer.InferFixtures.jsonRows;
import static org.tinybert.infer.InferFixtures.parts;
import static org.tinybert.infer.InferFixtures.probabilities;
import static org.tinybert.infer.InferFixtures.sentences;
import static org.tinybert.infer.InferFixtures.settings;
import static org.tinybert.infer.InferFixtures.write;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.Optional;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.InferSettings;
import org.tinybert.model.EngineChoice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.io.InputFileException;
import org.tinybert.io.OutputHeldException;
import org.tinybert.io.OutputHold;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.TinyClassifiers;

/**
 * {@code infer} on local[2] over every input format, both output kinds (classifier results and embeddings) and every
 * output format, each example's results checked against the model's forward pass on that example alone; bad rows;
 * and the output's life: a rerun over a finished output, a rerun after a crash, other settings, a foreign directory.
 */
class InferPipelineTest {
  static SparkSession spark;
  static BertModel student;
  static BertModel teacher;
  static Path studentDir;
  static Path teacherDir;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("InferPipelineTest");
    student = InferFixtures.model("student");
    teacher = InferFixtures.model("teacher");
    studentDir = Golden.dir().resolve("student");
    teacherDir = Golden.dir().resolve("teacher");
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
    // The models infer loaded stay in this JVM's cache otherwise, for the test classes after this one.
    ExecutorRuntime.clear();
  }

  static String argmaxLabel(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return "LABEL_" + best;
  }

  @Test
  void textLinesGetTheForwardPassProbabilitiesInInputOrder() throws Exception {
    List<String> texts = sentences(60, 1);
    Path in = tmp.resolve("text/in.txt");
    write(in, texts);
    Path out = tmp.resolve("text/out");
    InferSummary s = InferPipeline.run(spark, settings(studentDir, in, out, "output-format=jsonl", "split-size=1k",
        "batch-size=8"));
    assertTrue(s.parts() > 2, "several units: " + s.parts());
    assertEquals(60, s.examples());
    assertEquals(60, s.rows());
    assertEquals(0, s.skipped());
    List<JsonNode> rows = jsonRows(out);
    assertEquals(60, rows.size());
    for (int i = 0; i < texts.size(); i++) {
      JsonNode r = rows.get(i);
      assertEquals(List.of("text", "label", "probabilities"), fieldNames(r));
      assertEquals(texts.get(i), r.get("text").asText());
      float[] p = probabilities(student, texts.get(i), null);
      assertClose(p, r.get("probabilities"), "row " + i);
      assertEquals(argmaxLabel(p), r.get("label").asText(), "row " + i);
    }
    JsonNode m = InferFixtures.manifest(out);
    assertEquals(60, m.get("summary").get("examples").asInt());
    assertTrue(m.get("summary").get("examples_per_second").asDouble() > 0);
    assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), texts(m.get("labels")));
  }

  /** A live run's hold beside the output (another host's): refused at once, naming it, with nothing written. */
  @Test
  void anOutputHeldByALiveRunIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path in = tmp.resolve("held/in.txt");
    write(in, sentences(4, 1));
    Path out = tmp.resolve("held/out");
    String now = java.time.Instant.now().toString();
    Files.writeString(tmp.resolve("held/out" + OutputHold.SUFFIX), "{\"host\":\"another-host.example\",\"pid\":4242,"
        + "\"token\":\"t\",\"spark_application_id\":\"app-other\",\"since\":\"" + now + "\",\"heartbeat\":\"" + now
        + "\"}");
    OutputHeldException e = assertThrows(OutputHeldException.class,
        () -> InferPipeline.run(spark, settings(studentDir, in, out, "output-format=jsonl")));
    assertTrue(e.getMessage().contains("held by another run (host another-host.example, pid 4242, application "
        + "app-other, since " + now), e.getMessage());
    try (var names = Files.list(tmp.resolve("held"))) {
      assertEquals(List.of("in.txt", "out.hold"), names.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void thePortableEngineGivesTheProbabilitiesOfTheCpuKernels() throws Exception {
    List<String> texts = sentences(20, 4);
    Path in = tmp.resolve("engine/in.txt");
    write(in, texts);
    Path out = tmp.resolve("engine/out");
    String k = InferSettings.ROOT + ".";
    InferSummary s = InferPipeline.run(spark, InferSettings.from(SettingsLoader.load(InferSettings.ROOT,
        Optional.empty(), List.of(k + "model=\"" + studentDir + "\"", k + "input=\"" + in + "\"",
            k + "output=\"" + out + "\"", k + "output-format=jsonl", EngineChoice.KEY + "=nd4j"))));
    assertEquals(20, s.examples());
    List<JsonNode> rows = jsonRows(out);
    for (int i = 0; i < texts.size(); i++) {
      assertClose(probabilities(student, texts.get(i), null), rows.get(i).get("probabilities"), "row " + i);
    }
    assertEquals("nd4j", InferFixtures.manifest(out).get("settings").get("engine").get("engine").asText());
  }

  @Test
  void tsvPairsWithAHeaderKeepTheIdAndTheTexts() throws Exception {
    List<String> a = sentences(30, 2);
    List<String> b = sentences(30, 3);
    List<String> lines = new ArrayList<>(List.of("id\tquestion\tanswer\tother"));
    for (int i = 0; i < a.size(); i++) lines.add("q" + i + "\t" + a.get(i) + "\t" + b.get(i) + "\tx");
    Path in = tmp.resolve("pairs/in.tsv");
    write(in, lines);
    Path out = tmp.resolve("pairs/out");
    InferPipeline.run(spark, settings(teacherDir, in, out, "text-column=question", "text-pair-column=answer",
        "id-column=id", "output-format=jsonl", "split-size=700"));
    List<JsonNode> rows = jsonRows(out);
    assertEquals(30, rows.size());
    for (int i = 0; i < a.size(); i++) {
      JsonNode r = rows.get(i);
      assertEquals(List.of("id", "question", "answer", "label", "probabilities"), fieldNames(r));
      assertEquals("q" + i, r.get("id").asText());
      assertEquals(a.get(i), r.get("question").asText());
      assertEquals(b.get(i), r.get("answer").asText());
      assertClose(probabilities(teacher, a.get(i), b.get(i)), r.get("probabilities"), "pair " + i);
    }
  }

  @Test
  void tsvWithoutAHeaderTakesColumnsByIndexAndWritesTsv() throws Exception {
    List<String> texts = new ArrayList<>(sentences(12, 4));
    texts.set(3, "back\\slash and \"quotes\"");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) lines.add("x\t" + texts.get(i) + "\t" + (100 + i));
    Path in = tmp.resolve("noheader/data.tsv");
    write(in, lines);
    Path out = tmp.resolve("noheader/out");
    InferPipeline.run(spark, settings(studentDir, in, out, "tsv-header=false", "text-column=1", "id-column=2",
        "output-kind=labels", "output-format=tsv"));
    List<String> got = Files.readAllLines(parts(out).get(0), StandardCharsets.UTF_8);
    assertEquals("id\ttext\tlabel", got.get(0));
    assertEquals(texts.size() + 1, got.size());
    for (int i = 0; i < texts.size(); i++) {
      String[] f = got.get(i + 1).split("\t", -1);
      assertEquals(String.valueOf(100 + i), f[0]);
      assertEquals(texts.get(i).replace("\\", "\\\\"), f[1]);
      assertEquals(argmaxLabel(probabilities(student, texts.get(i), null)), f[2]);
    }
  }

  @Test
  void jsonLinesToParquetThatSparkReads() throws Exception {
    List<String> texts = sentences(20, 5);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      lines.add(InferFixtures.JSON.writeValueAsString(Map.of("n", i, "body", texts.get(i), "extra", List.of(1, 2))));
    }
    Path in = tmp.resolve("jsonl/in.jsonl");
    write(in, lines);
    Path out = tmp.resolve("jsonl/out");
    InferPipeline.run(spark, settings(studentDir, in, out, "text-column=body", "id-column=n"));
    var df = spark.read().parquet(out.toString());
    assertEquals(List.of("n", "body", "label", "probabilities"), List.of(df.columns()));
    assertEquals(DataTypes.StringType, df.schema().apply("n").dataType());
    assertEquals(DataTypes.FloatType,
        ((org.apache.spark.sql.types.ArrayType) df.schema().apply("probabilities").dataType()).elementType());
    List<Row> rows = df.collectAsList();
    assertEquals(20, rows.size());
    for (Row r : rows) {
      int i = Integer.parseInt(r.getString(0));
      assertEquals(texts.get(i), r.getString(1));
      assertClose(probabilities(student, texts.get(i), null), floats(r.getList(3)), "row " + i);
    }
  }

  @Test
  void aParquetDirectoryOfPartsKeepsTheIdsType() throws Exception {
    List<String> a = sentences(24, 6);
    List<String> b = sentences(24, 7);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) data.add(RowFactory.create(1000L + i, a.get(i), b.get(i)));
    StructType schema = new StructType().add("key", DataTypes.LongType).add("s1", DataTypes.StringType)
        .add("s2", DataTypes.StringType);
    Path in = tmp.resolve("parquet/in");
    spark.createDataFrame(data, schema).repartition(3).write().parquet(in.toString());
    Path out = tmp.resolve("parquet/out");
    InferSummary s = InferPipeline.run(spark, settings(teacherDir, in, out, "text-column=s1", "text-pair-column=s2",
        "id-column=key"));
    assertEquals("parquet", s.inputFormat());
    assertEquals(3, s.parts(), "one unit per input part");
    var df = spark.read().parquet(out.toString());
    assertEquals(DataTypes.LongType, df.schema().apply("key").dataType());
    List<Row> rows = df.collectAsList();
    assertEquals(24, rows.size());
    for (Row r : rows) {
      int i = (int) (r.getLong(0) - 1000);
      assertEquals(a.get(i), r.getString(1));
      assertClose(probabilities(teacher, a.get(i), b.get(i)), floats(r.getList(4)), "row " + i);
      assertEquals(argmaxLabel(probabilities(teacher, a.get(i), b.get(i))), r.getString(3));
    }
  }

  @Test
  void anEncoderWritesPooledOrMeanEmbeddings() throws Exception {
    HfCheckpoint ck = Golden.checkpoint("teacher");
    Map<String, INDArray> w = new LinkedHashMap<>(ck.weights());
    w.keySet().removeIf(k -> k.startsWith(HfNames.CLASSIFIER + ".") || k.startsWith("cls."));
    Path encoderDir = tmp.resolve("encoder/model");
    HfCheckpoint.save(new org.apache.hadoop.fs.Path(encoderDir.toString()), ck.config(), w,
        Golden.hadoopPath("teacher/vocab.txt"), true, new Configuration());
    List<String> texts = sentences(16, 8);
    Path in = tmp.resolve("encoder/in.txt");
    write(in, texts);
    Path pooled = tmp.resolve("encoder/pooled");
    InferSummary s = InferPipeline.run(spark, settings(encoderDir, in, pooled, "output-format=jsonl"));
    assertEquals("embedding", s.written());
    Path mean = tmp.resolve("encoder/mean");
    InferPipeline.run(spark, settings(encoderDir, in, mean, "output-format=jsonl", "embedding=mean"));
    List<JsonNode> p = jsonRows(pooled);
    List<JsonNode> m = jsonRows(mean);
    for (int i = 0; i < texts.size(); i++) {
      BertModel.Forward f = InferFixtures.forward(teacher, texts.get(i), null);
      assertEquals(List.of("text", "embedding"), fieldNames(p.get(i)));
      assertClose(f.pooledOutput.toFloatVector(), p.get(i).get("embedding"), "pooled " + i);
      float[][] h = f.sequenceOutput().toFloatMatrix(); // [64, H]
      int[] mask = f.batch.inputMask();
      float[] avg = new float[h[0].length];
      int n = 0;
      for (int t = 0; t < 64; t++) {
        if (mask[t] == 0) continue;
        n++;
        for (int k = 0; k < avg.length; k++) avg[k] += h[t][k];
      }
      for (int k = 0; k < avg.length; k++) avg[k] /= n;
      assertClose(avg, m.get(i).get("embedding"), "mean " + i);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferPipeline.run(spark,
        settings(encoderDir, in, tmp.resolve("encoder/labels"), "output-kind=labels")));
    assertTrue(e.getMessage().contains("has no sequence classifier"), e.getMessage());
  }

  @Test
  void aRegressionModelWritesItsScore() throws Exception {
    org.apache.hadoop.fs.Path dir = TinyClassifiers.saveStudent(tmp.resolve("regression"), 1);
    BertModel model = TinyClassifiers.student(1);
    List<String> texts = sentences(10, 9);
    Path in = tmp.resolve("regression/in.txt");
    write(in, texts);
    Path out = tmp.resolve("regression/out");
    InferSummary s = InferPipeline.run(spark, settings(dir, in, out, "output-format=jsonl"));
    assertEquals("score", s.written());
    List<JsonNode> rows = jsonRows(out);
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(List.of("text", "score"), fieldNames(rows.get(i)));
      float expected = InferFixtures.forward(model, texts.get(i), null).logits.getFloat(0);
      assertEquals(expected, rows.get(i).get("score").floatValue(), InferFixtures.TOL, "row " + i);
    }
  }

  /** A TSV whose bad rows are spread over several units; returns the lines (1-based) of each bad row by kind. */
  static Map<Integer, String> badTsv(Path file) throws Exception {
    List<String> texts = sentences(40, 10);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("id\ttext\n".getBytes(StandardCharsets.UTF_8));
    Map<Integer, String> bad = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      int line = i + 2;
      if (i == 5) {
        b.write(("r" + i + "\t  \n").getBytes(StandardCharsets.UTF_8));
        bad.put(line, "empty_text");
      } else if (i == 17) {
        b.write(("r" + i + "\n").getBytes(StandardCharsets.UTF_8));
        bad.put(line, "missing_column");
      } else if (i == 31) {
        b.write(("r" + i + "\tcaf").getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {(byte) 0xE9, '\n'});
        bad.put(line, "invalid_utf8");
      } else {
        b.write(("r" + i + "\t" + texts.get(i) + (i % 3 == 0 ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8));
      }
    }
    Files.createDirectories(file.getParent());
    Files.write(file, b.toByteArray());
    return bad;
  }

  @Test
  void badRowsAreSkippedAndCountedByKindWithTheirLines() throws Exception {
    Path in = tmp.resolve("bad/in.tsv");
    Map<Integer, String> bad = badTsv(in);
    Path out = tmp.resolve("bad/out");
    InferSummary s = InferPipeline.run(spark, settings(studentDir, in, out, "id-column=id", "bad-rows=skip",
        "split-size=500", "output-format=jsonl"));
    assertTrue(s.parts() >= 4, "bad rows in several units: " + s.parts());
    assertEquals(40, s.rows());
    assertEquals(37, s.examples());
    assertEquals(Map.of("empty_text", 1L, "missing_column", 1L, "invalid_utf8", 1L), s.skippedByKind());
    List<String> where = new ArrayList<>();
    for (String r : s.badRows()) {
      int at = r.indexOf("in.tsv:") + "in.tsv:".length();
      where.add(r.substring(at, r.indexOf(": ", at)));
    }
    assertEquals(bad.keySet().stream().map(String::valueOf).toList(), where, s.badRows().toString());
    List<JsonNode> rows = jsonRows(out);
    assertEquals(37, rows.size());
    assertFalse(rows.stream().anyMatch(r -> List.of("r5", "r17", "r31").contains(r.get("id").asText())));
    JsonNode m = InferFixtures.manifest(out).get("summary");
    assertEquals(1, m.get("skipped_by_kind").get("invalid_utf8").asInt());

    List<String> json = new ArrayList<>(List.of("{\"t\": \"fine text\"}", "not json", "[1, 2]", "{\"t\": 3}",
        "{\"u\": \"no t\"}", "{\"t\": null}", "{\"t\": \"\"}"));
    Path jin = tmp.resolve("bad/in.jsonl");
    write(jin, json);
    InferSummary js = InferPipeline.run(spark, settings(studentDir, jin, tmp.resolve("bad/jout"), "text-column=t",
        "bad-rows=skip"));
    assertEquals(Map.of("malformed", 3L, "missing_column", 2L, "empty_text", 1L), js.skippedByKind());
    assertEquals(1, js.examples());
  }

  @Test
  void aBadRowFailsTheRunNamingTheFileAndItsLine() throws Exception {
    Path in = tmp.resolve("fail/in.tsv");
    badTsv(in);
    InputFileException e = assertThrows(InputFileException.class, () -> InferPipeline.run(spark,
        settings(studentDir, in, tmp.resolve("fail/out"), "split-size=500")));
    // The first bad row of whichever unit failed first: each names its own line in the file.
    assertTrue(List.of(7L, 19L, 33L).contains(e.line()), e.getMessage());
    assertTrue(e.file().endsWith("fail/in.tsv"), e.getMessage());
    assertTrue(e.getMessage().contains("bad-rows = skip"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("fail/out")), "nothing is published after a failure");
  }

  @Test
  void aRerunOverAFinishedOutputDoesNothing() throws Exception {
    Path in = tmp.resolve("rerun/in.txt");
    write(in, sentences(30, 11));
    Path out = tmp.resolve("rerun/out");
    InferSummary first = InferPipeline.run(spark, settings(studentDir, in, out, "split-size=1k"));
    Map<String, Long> times = modificationTimes(out);
    InferSummary again = InferPipeline.run(spark, settings(studentDir, in, out, "split-size=1k"));
    assertTrue(again.alreadyDone());
    assertFalse(first.alreadyDone());
    assertEquals(first.runId(), again.runId());
    assertEquals(first.examples(), again.examples());
    assertEquals(times, modificationTimes(out));
  }

  @Test
  void aRerunAfterACrashScoresOnlyTheMissingParts() throws Exception {
    Path in = tmp.resolve("crash/in.txt");
    write(in, sentences(80, 12));
    Path clean = tmp.resolve("crash/clean");
    InferSummary whole = InferPipeline.run(spark, settings(studentDir, in, clean, "split-size=1k",
        "output-format=jsonl"));
    assertTrue(whole.parts() >= 6, "parts: " + whole.parts());

    // A run that stopped before it finished, as a crash leaves it: the staging directory without _SUCCESS, one part
    // never written, one written but not recorded (a crash between the rename and the record), a temporary file.
    Path out = tmp.resolve("crash/out");
    InferPipeline.run(spark, settings(studentDir, in, out, "split-size=1k", "output-format=jsonl"));
    Path staging = tmp.resolve("crash/.out.staging");
    Files.move(out, staging);
    Files.delete(tmp.resolve("crash/out.manifest.json"));
    Files.delete(staging.resolve("_SUCCESS"));
    Files.delete(staging.resolve("part-00001.jsonl"));
    Files.delete(staging.resolve("_parts/part-00001.jsonl.json"));
    Files.delete(staging.resolve("_parts/part-00004.jsonl.json"));
    Files.createDirectories(staging.resolve("_temporary"));
    Files.writeString(staging.resolve("_temporary/part-00003.jsonl.x.tmp"), "torn");
    Map<String, Long> before = modificationTimes(staging);

    InferSummary resumed = InferPipeline.run(spark, settings(studentDir, in, out, "split-size=1k",
        "output-format=jsonl"));
    assertEquals(2, resumed.partsScored());
    assertEquals(whole.parts() - 2, resumed.partsReused());
    assertEquals(whole.examples(), resumed.examples());
    Map<String, Long> after = modificationTimes(out);
    for (Map.Entry<String, Long> e : before.entrySet()) {
      if (!e.getKey().startsWith("part-") || e.getKey().equals("part-00004.jsonl")) continue;
      assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " was rewritten");
    }
    assertFalse(Files.exists(staging));
    assertFalse(Files.exists(out.resolve("_temporary")));
    List<Path> a = parts(clean);
    List<Path> b = parts(out);
    assertEquals(a.stream().map(p -> p.getFileName().toString()).toList(),
        b.stream().map(p -> p.getFileName().toString()).toList());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)));
  }

  @Test
  void otherSettingsReplaceTheOutputAndAForeignDirectoryIsRefused() throws Exception {
    Path in = tmp.resolve("replace/in.txt");
    write(in, sentences(10, 13));
    Path out = tmp.resolve("replace/out");
    InferPipeline.run(spark, settings(studentDir, in, out, "output-format=jsonl"));
    InferSummary labels = InferPipeline.run(spark, settings(studentDir, in, out, "output-format=jsonl",
        "output-kind=labels"));
    assertFalse(labels.alreadyDone());
    assertEquals(List.of("text", "label"), fieldNames(jsonRows(out).get(0)));

    Path foreign = tmp.resolve("replace/foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("keep.txt"), "someone's data");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InferPipeline.run(spark, settings(studentDir, in, foreign)));
    assertTrue(e.getMessage().contains("was not written by tinybert infer"), e.getMessage());
    assertTrue(Files.exists(foreign.resolve("keep.txt")));
  }

  @Test
  void csvWithQuotedCommasQuotesAndLineBreaksIsReadAsSparkWritesIt() throws Exception {
    List<String> a = new ArrayList<>(sentences(24, 15));
    List<String> b = sentences(24, 16);
    a.set(2, a.get(2) + ", and more");
    a.set(5, "\"" + a.get(5) + "\" she said");
    a.set(9, a.get(9) + "\nover two lines");
    // Spark's own CSV writer with RFC 4180's doubled quotes (Spark's default escapes them with a backslash).
    StructType schema = new StructType().add("key", DataTypes.StringType).add("first", DataTypes.StringType)
        .add("second", DataTypes.StringType).add("other", DataTypes.IntegerType);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) data.add(RowFactory.create("k" + i, a.get(i), b.get(i), i));
    Path dir = tmp.resolve("csv/in");
    spark.createDataFrame(data, schema).coalesce(1).write().option("header", true).option("escape", "\"")
        .csv(dir.toString());
    Path out = tmp.resolve("csv/out");
    InferSummary s = InferPipeline.run(spark, settings(teacherDir, dir.resolve("*.csv"), out, "text-column=first",
        "text-pair-column=2", "id-column=key", "output-format=jsonl", "split-size=1k"));
    assertEquals("csv", s.inputFormat());
    assertEquals(1, s.parts(), "a CSV file is one unit whatever its size");
    List<JsonNode> rows = jsonRows(out);
    assertEquals(24, rows.size());
    for (int i = 0; i < a.size(); i++) {
      JsonNode r = rows.get(i);
      assertEquals(List.of("key", "first", "second", "label", "probabilities"), fieldNames(r));
      assertEquals("k" + i, r.get("key").asText());
      assertEquals(a.get(i), r.get("first").asText());
      assertClose(probabilities(teacher, a.get(i), b.get(i)), r.get("probabilities"), "row " + i);
    }
  }

  @Test
  void badCsvRowsAreSkippedWithTheirLinesOrFailTheRun() throws Exception {
    List<String> lines = new ArrayList<>(List.of("id,text"));
    List<String> texts = sentences(10, 17);
    for (int i = 0; i < texts.size(); i++) lines.add("r" + i + ",\"" + texts.get(i) + "\"");
    lines.set(3, "r2,\"two\nlines\"");
    lines.add("r10,");
    lines.add("r11");
    lines.add("r12,\"last\"");
    Path in = tmp.resolve("csvbad/in.csv");
    write(in, lines);
    InferSummary s = InferPipeline.run(spark, settings(studentDir, in, tmp.resolve("csvbad/out"), "id-column=id",
        "bad-rows=skip", "output-format=jsonl"));
    assertEquals(Map.of("empty_text", 1L, "missing_column", 1L), s.skippedByKind());
    assertEquals(11, s.examples());
    // Line 4 holds a line break inside quotes, so the rows after it sit one line further down.
    assertEquals(2, s.badRows().size(), s.badRows().toString());
    assertTrue(s.badRows().get(0).contains("in.csv:13: empty text"), s.badRows().toString());
    assertTrue(s.badRows().get(1).contains("in.csv:14: no column 'text'"), s.badRows().toString());

    InputFileException e = assertThrows(InputFileException.class, () -> InferPipeline.run(spark,
        settings(studentDir, in, tmp.resolve("csvbad/fail"), "id-column=id")));
    assertEquals(13, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains("bad-rows = skip"), e.getMessage());

    InputFileException header = assertThrows(InputFileException.class, () -> InferPipeline.run(spark,
        settings(studentDir, in, tmp.resolve("csvbad/noheader"), "text-column=body")));
    assertEquals(1, header.line(), header.getMessage());
    assertTrue(header.getMessage().contains("no column 'body'"), header.getMessage());

    // Bytes that are not UTF-8 stop the file even when skipping: where the next row starts is unknown after them.
    Path latin = tmp.resolve("csvbad/latin.csv");
    Files.write(latin, new byte[] {'t', 'e', 'x', 't', '\n', 'f', 'i', 'n', 'e', '\n', 'c', 'a', (byte) 0xe9, '\n'});
    InputFileException notUtf8 = assertThrows(InputFileException.class, () -> InferPipeline.run(spark,
        settings(studentDir, latin, tmp.resolve("csvbad/lout"), "bad-rows=skip")));
    assertTrue(notUtf8.getMessage().contains("cannot be read as CSV"), notUtf8.getMessage());
    assertTrue(notUtf8.getMessage().contains("latin.csv:3:"), notUtf8.getMessage());
  }

  @Test
  void aCompressedFileIsOneUnit() throws Exception {
    List<String> texts = sentences(25, 14);
    Path in = tmp.resolve("gz/in.txt.gz");
    Files.createDirectories(in.getParent());
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(in))) {
      o.write((String.join("\n", texts) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path out = tmp.resolve("gz/out");
    InferSummary s = InferPipeline.run(spark, settings(studentDir, in, out, "split-size=1k", "output-format=jsonl"));
    assertEquals(1, s.parts());
    assertEquals("text", s.inputFormat());
    List<JsonNode> rows = jsonRows(out);
    assertEquals(25, rows.size());
    assertClose(probabilities(student, texts.get(24), null), rows.get(24).get("probabilities"), "last row");
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  static float[] floats(List<Object> list) {
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) f[i] = ((Number) list.get(i)).floatValue();
    return f;
  }

  /** Modification times of the files in a directory (not below), by name. */
  static Map<String, Long> modificationTimes(Path dir) throws Exception {
    Map<String, Long> m = new HashMap<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(p.getFileName().toString(), Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }
}
