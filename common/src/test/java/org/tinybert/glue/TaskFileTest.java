package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tinybert.io.InputException;
import org.tinybert.io.TableFormat;
import org.tinybert.model.core.BertConfig;

/** Task files: loading, defaults, relative paths, every problem of a bad one at once, and the presets beside them. */
class TaskFileTest {
  static final Configuration CONF = new Configuration();

  static Path resource(String name) {
    try {
      return new Path(TaskFileTest.class.getResource("taskfiles/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void loadsEveryKey() {
    Path file = resource("good-pair.conf");
    TaskFile t = TaskFile.load(file, CONF);
    assertEquals("good-pair", t.taskName());
    assertEquals(new Path(file.getParent(), "data/train.jsonl").toString(), t.train(), "relative to the task file");
    assertEquals("/abs/dev/part-*.jsonl", t.dev());
    assertEquals("hdfs://nn:8020/tasks/test", t.test());
    assertEquals(TableFormat.JSONL, t.format());
    assertEquals("first", t.text());
    assertEquals("second", t.textPair());
    assertEquals("relation", t.label());
    assertEquals("pair_id", t.id());
    assertEquals(OutputMode.CLASSIFICATION, t.outputMode());
    assertEquals(List.of("different", "same"), t.labels());
    assertEquals(2, t.numLabels());
    assertEquals(List.of("accuracy", "f1", "macro-f1", "micro-f1", "mcc"), t.metricNames());
    assertEquals("same", t.positiveLabel());
    assertEquals("f1", t.primaryMetric());
    assertEquals(24, t.maxSeqLength());
    assertTrue(t.skipsMalformedByDefault());
    assertTrue(t.isPairTask());
    assertEquals("good-pair.tsv", t.predictionFileName());
    assertEquals("pair_id", t.predictionIdHeader());
  }

  /**
   * One format enum for infer and task files, each accepting its own: a task file refuses text (a task has columns),
   * and names a table's format by its name (CSV included). Manifests keep the constant's name, as they always had.
   */
  @Test
  void formatsAreTheTaskFilesOwnAndKeepTheirJson(@TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path text = Files.writeString(dir.resolve("t.conf"),
        "train = train.csv\ntext = t\nlabel = l\nkind = classification\nformat = text\n");
    InputException e = assertThrows(InputException.class, () -> TaskFile.load(new Path(text.toUri()), CONF));
    assertTrue(e.getMessage().contains("must be one of auto, tsv, csv, jsonl, parquet"), e.getMessage());
    assertEquals(TableFormat.CSV, TableFormat.ofName("train.csv.gz", TaskFile.FORMATS, null));
    assertNull(TableFormat.ofName("part-00000", TaskFile.FORMATS, null));
    TaskFile t = TaskFile.load(resource("good-pair.conf"), CONF);
    assertEquals("JSONL", new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(t).get("format").asText());
  }

  @Test
  void defaultsAndLabelsFromData() {
    TaskFile t = TaskFile.load(resource("good-minimal.conf"), CONF);
    assertEquals(TableFormat.AUTO, t.format());
    assertEquals(List.of("accuracy"), t.metricNames());
    assertEquals("accuracy", t.primaryMetric());
    assertEquals(TaskFile.DEFAULT_MAX_SEQ_LENGTH, t.maxSeqLength());
    assertFalse(t.skipsMalformedByDefault());
    assertNull(t.dev());
    assertNull(t.id());
    assertEquals("index", t.predictionIdHeader());
    assertTrue(TaskData.needsLabels(t), "no labels key: the training set's");
    TaskFile resolved = t.withLabels(List.of("complaint", "praise"));
    assertFalse(TaskData.needsLabels(resolved));
    assertEquals(2, resolved.numLabels());
  }

  @Test
  void reportsEveryProblemAtOnceWithKeyAndLine() {
    Path file = resource("bad-many.conf");
    TaskFile.TaskFileException e = assertThrows(TaskFile.TaskFileException.class, () -> TaskFile.load(file, CONF));
    String at = file.toString() + ": ";
    assertEquals(List.of(
        "unknown key epochs (" + at + "7); a task file has " + String.join(", ", TaskFile.KEYS),
        "unknown key metricz (" + at + "8) (did you mean metrics?); a task file has "
            + String.join(", ", TaskFile.KEYS),
        "format must be one of auto, tsv, csv, jsonl, parquet, found \"xlsx\" (" + at + "10)",
        "metrics holds 'pearson', which does not fit kind = classification; a classification task's metrics are "
            + "accuracy, f1, macro-f1, micro-f1, mcc, found [\"accuracy\",\"pearson\",\"f1\"] (" + at + "5)",
        "positive-label must be set: metrics has f1 (binary F1 of the positive label) (" + at + "5)",
        "best-by must be one of the metrics [accuracy, pearson, f1], found \"mcc\" (" + at + "6)",
        "max-seq-length must be an integer >= 2 (to hold [CLS] text [SEP]), found 1 (" + at + "9)"),
        e.problems());
    assertTrue(e.getMessage().startsWith("task file " + file + " has 7 problems:\n  - unknown key epochs"),
        e.getMessage());
  }

  @Test
  void regressionRefusesLabelsAndClassificationMetrics() {
    Path file = resource("bad-regression.conf");
    TaskFile.TaskFileException e = assertThrows(TaskFile.TaskFileException.class, () -> TaskFile.load(file, CONF));
    String at = file.toString() + ": ";
    assertEquals(List.of(
        "labels must be absent for kind = regression (a regression task has no labels), found [\"low\",\"high\"] ("
            + at + "5)",
        "metrics holds 'accuracy', which does not fit kind = regression; a regression task's metrics are pearson, "
            + "spearman, found [\"pearson\",\"accuracy\"] (" + at + "6)"), e.problems());
  }

  @Test
  void requiredKeysAndAMissingFile(@TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path f = tmp.resolve("empty.conf");
    Files.writeString(f, "# nothing\n");
    TaskFile.TaskFileException e = assertThrows(TaskFile.TaskFileException.class,
        () -> TaskFile.load(new Path(f.toUri()), CONF));
    String file = new Path(f.toUri()).toString();
    assertEquals(List.of(
        "a task file needs at least one of train, dev and test (" + file + ")",
        "text must be set (a column name) (" + file + ")",
        "label must be set (a column name) (" + file + ")",
        "kind must be set (one of classification, regression) (" + file + ")"), e.problems());
    InputException missing = assertThrows(InputException.class,
        () -> TaskFile.load(new Path(tmp.resolve("none.conf").toUri()), CONF));
    assertTrue(missing.getMessage().endsWith("none.conf does not exist"), missing.getMessage());
  }

  @Test
  void f1NeedsTwoLabelsOneOfThemPositive() {
    TaskFile t = TaskFile.load(resource("good-pair.conf"), CONF);
    TaskFile unresolved = new TaskFile(t.taskName(), t.source(), t.train(), t.dev(), t.test(), null, t.format(),
        t.text(), t.textPair(), t.label(), t.id(), t.outputMode(), List.of(), false, t.metricNames(),
        t.primaryMetric(), t.positiveLabel(), t.maxSeqLength(), false);
    InputException e = assertThrows(InputException.class, () -> unresolved.withLabels(List.of("a", "b", "same")));
    assertTrue(e.getMessage().contains("positive-label 'same' (for binary f1) needs exactly 2 labels"),
        e.getMessage());
  }

  @Test
  void modelLabelsNameAnUnlabelledTaskFile() {
    TaskFile t = TaskFile.load(resource("good-minimal.conf"), CONF);
    BertConfig named = BertConfig.parse(("{\"vocab_size\": 10, \"hidden_size\": 4, \"num_hidden_layers\": 1, "
        + "\"num_attention_heads\": 1, \"intermediate_size\": 8, \"id2label\": {\"0\": \"complaint\", \"1\": "
        + "\"praise\"}}").getBytes(StandardCharsets.UTF_8), "m");
    assertEquals(List.of("complaint", "praise"), TaskData.withModelLabels(t, named, "m").labels());
    BertConfig placeholders = named.withNumLabels(2);
    assertEquals(List.of(), TaskData.id2label(placeholders));
    InputException e = assertThrows(InputException.class, () -> TaskData.withModelLabels(t, placeholders, "m"));
    assertTrue(e.getMessage().contains("set labels = [...]"), e.getMessage());
    assertEquals(List.of("complaint", "praise"), TaskData.id2label(placeholders.withLabelNames(
        List.of("complaint", "praise"))));
  }

  /** The presets are task definitions too, with TinyBERT's facts unchanged. */
  @ParameterizedTest
  @EnumSource(GlueTask.class)
  void presetsAreDefinitions(GlueTask task) {
    TaskDefinition d = task;
    assertSame(task, d);
    assertEquals(task.submissionFileName(), d.predictionFileName());
    assertEquals("index", d.predictionIdHeader());
    assertEquals(task.metricNames().contains("f1") ? "1" : null, d.positiveLabel());
    assertTrue(d.metricNames().contains(d.primaryMetric()));
  }
}
