package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.io.InputException;

/** A task file's tables in each format, their columns found by name, and each kind of bad row with its message. */
class TaskTableReaderTest {
  static final Configuration CONF = new Configuration();
  @TempDir java.nio.file.Path tmp;

  TaskFile task(String hocon) throws IOException {
    java.nio.file.Path f = tmp.resolve("task.conf");
    Files.writeString(f, hocon, StandardCharsets.UTF_8);
    return TaskFile.load(new Path(f.toUri()), CONF);
  }

  Path write(String name, String text) throws IOException {
    java.nio.file.Path f = tmp.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return new Path(f.toUri());
  }

  static GlueExamples read(TaskFile t, Split split) throws IOException {
    return TaskData.read(t, split, TaskData.locate(t, split, null, CONF), CONF);
  }

  @Test
  void csvWithQuotingAnIdAndLabelsFromTheTrainingSet() throws IOException {
    write("train.csv", "id,review,source,label\nr1,\"good, \"\"very\"\" good\",web,praise\nr2,bad film,mail,complaint\n"
        + "r3,\"a\nsecond line\",web,praise\n");
    TaskFile t = task("train = train.csv\ndev = train.csv\ntest = train.csv\ntext = review\nlabel = label\n"
        + "id = id\nkind = classification\n");
    GlueExamples train = read(t, Split.TRAIN);
    // The id is the test split's (what predict writes); training rows go by their number.
    assertEquals(List.of(new GlueExample("train-0", "0", "good, \"very\" good", null, "praise", 2),
        new GlueExample("train-1", "1", "bad film", null, "complaint", 3),
        new GlueExample("train-2", "2", "a\nsecond line", null, "praise", 5)), train.examples());
    assertEquals(List.of("r1", "r2", "r3"), read(t, Split.TEST).examples().stream().map(GlueExample::index).toList());
    TaskDefinition resolved = TaskData.withTrainingLabels(t, train);
    assertEquals(List.of("complaint", "praise"), resolved.labels(), "sorted distinct labels");
    assertEquals(3, TaskData.read(resolved, Split.DEV, new Path(t.dev()), CONF).size());
  }

  @Test
  void jsonLinesPairsWithNumberIdsAndLabels() throws IOException {
    write("pairs/part-0.jsonl", "{\"pid\": 7, \"a\": \"x y\", \"b\": \"z\", \"rel\": 1, \"extra\": [1]}\n");
    write("pairs/part-1.jsonl", "{\"pid\": 8, \"a\": \"u\", \"b\": \"v w\", \"rel\": 0}\n");
    write("pairs/_SUCCESS", "");
    TaskFile t = task("train = pairs\ntext = a\ntext-pair = b\nlabel = rel\nid = pid\nkind = classification\n"
        + "labels = [0, 1]\nmetrics = [f1]\npositive-label = 1\n");
    assertEquals(List.of(new GlueExample("train-0", "0", "x y", "z", "1", 1),
        new GlueExample("train-1", "1", "u", "v w", "0", 1)), read(t, Split.TRAIN).examples());
  }

  @Test
  void tsvRegressionByGlobWithRowNumbersAsIndex() throws IOException {
    write("scores/a.tsv", "sentence\tscore\nfirst one\t4.5\n");
    write("scores/b.tsv", "score\tsentence\n0.5\tsecond\n1e1\tthird\n");
    TaskFile t = task("train = \"scores/*.tsv\"\ntext = sentence\nlabel = score\nkind = regression\n");
    assertEquals(List.of(new GlueExample("train-0", "0", "first one", null, "4.5", 2),
        new GlueExample("train-1", "1", "second", null, "0.5", 2),
        new GlueExample("train-2", "2", "third", null, "1e1", 3)), read(t, Split.TRAIN).examples());
  }

  @Test
  void parquetWithTypedColumns() throws IOException {
    Path file = parquet("table.parquet", new Object[][] {{"good film", 1, 10L}, {"bad film", 0, 11L}});
    TaskFile t = task("train = table.parquet\ntest = table.parquet\ntext = text\nlabel = label\nid = id\n"
        + "kind = classification\nlabels = [\"0\", \"1\"]\n");
    assertEquals(List.of(new GlueExample("train-0", "0", "good film", null, "1", 1),
        new GlueExample("train-1", "1", "bad film", null, "0", 2)), read(t, Split.TRAIN).examples());
    // Test rows need no label.
    assertEquals(List.of(new GlueExample("test-10", "10", "good film", null, null, 1),
        new GlueExample("test-11", "11", "bad film", null, null, 2)), read(t, Split.TEST).examples());
    assertEquals(file.toString(), TaskData.locate(t, Split.TRAIN, null, CONF).toString());
  }

  Path parquet(String name, Object[][] rows) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message t { optional binary text (UTF8); optional int32 label; optional int64 id; }");
    Path p = new Path(tmp.resolve(name).toUri());
    SimpleGroupFactory f = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(p).withType(schema).withConf(CONF).build()) {
      for (Object[] r : rows) {
        Group g = f.newGroup();
        if (r[0] != null) g.append("text", (String) r[0]);
        if (r[1] != null) g.append("label", (Integer) r[1]);
        g.append("id", (Long) r[2]);
        w.write(g);
      }
    }
    return p;
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void aLabelNotAmongTheLabelsNamesFileAndLine() throws IOException {
    Path f = write("train.csv", "text,label\ngood,praise\nbad,complain\n");
    TaskFile t = task("train = train.csv\ntext = text\nlabel = label\nkind = classification\n"
        + "labels = [complaint, praise]\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f + ":3: label 'complain' in column 'label' is not one of [complaint, praise] (set bad-rows = "
        + "skip in task file " + t.source() + " to skip and count such rows)", e.getMessage());
  }

  @Test
  void aRegressionLabelThatIsNotANumber() throws IOException {
    Path f = write("train.tsv", "sentence\tscore\nfine\t2.5\nodd\thigh\n");
    TaskFile t = task("train = train.tsv\ntext = sentence\nlabel = score\nkind = regression\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f + ":3: expected a number (the regression label) in column 'score', found 'high'"
        + " (set bad-rows = skip in task file " + t.source() + " to skip and count such rows)", e.getMessage());
  }

  @Test
  void aMissingValueAnEmptyTextAndNotJson() throws IOException {
    Path f = write("train.jsonl", "{\"t\": \"ok\", \"l\": \"a\"}\n{\"l\": \"b\"}\n{\"t\": \"  \", \"l\": \"a\"}\n"
        + "[1, 2]\nnot json\n{\"t\": \"fine\", \"l\": \"b\"}\n");
    TaskFile t = task("train = train.jsonl\ntext = t\nlabel = l\nkind = classification\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f + ":2: no value in column 't' (set bad-rows = skip in task file " + t.source()
        + " to skip and count such rows)", e.getMessage());
    TaskFile skipping = task("train = train.jsonl\ntext = t\nlabel = l\nkind = classification\nbad-rows = skip\n");
    GlueExamples got = read(skipping, Split.TRAIN);
    assertEquals(List.of("ok", "fine"), got.examples().stream().map(GlueExample::textA).toList());
    assertEquals(4, got.skipped());
    assertEquals(List.of(f + " line 2: no value in column 't'", f + " line 3: empty text in column 't'",
        f + " line 4: expected a JSON object, found array", f + " line 5: not valid JSON: Unrecognized token 'not': "
            + "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
        got.skippedReasons());
    assertEquals("5", got.examples().get(1).index(), "row numbers count skipped rows");
  }

  @Test
  void aHeaderWithoutTheColumnFailsTheFileEvenWhenSkipping() throws IOException {
    Path f = write("train.csv", "sentence,label\nok,a\n");
    TaskFile t = task("train = train.csv\ntext = review\nlabel = label\nkind = classification\nbad-rows = skip\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f + ":1: no column 'review' in the CSV header [sentence, label]; the task file names columns "
        + "[review, label]", e.getMessage());
  }

  @Test
  void csvBytesThatAreNotUtf8NameTheirLine() throws IOException {
    // Small enough for the parser's read-ahead to meet the bad byte before the first row is asked for.
    Path f = write("train.csv", "text,label\nfine,a\ncaf\u00e9,b\n");
    byte[] latin1 = java.nio.file.Files.readString(java.nio.file.Path.of(f.toUri()))
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.nio.file.Files.write(java.nio.file.Path.of(f.toUri()), latin1);
    TaskFile t = task("train = train.csv\ntext = text\nlabel = label\nkind = classification\nbad-rows = skip\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertTrue(e.getMessage().startsWith(f + ":3: not CSV: "), e.getMessage());
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void aParquetRowIsNamedByRowAndRowGroup() throws IOException {
    Path f = parquet("bad.parquet", new Object[][] {{"good", 1, 1L}, {"", 0, 2L}});
    TaskFile t = task("train = bad.parquet\ntext = text\nlabel = label\nkind = classification\n"
        + "labels = [\"0\", \"1\"]\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f + ": row 2 (row group 0): empty text in column 'text' (set bad-rows = skip in task file "
        + t.source() + " to skip and count such rows)", e.getMessage());
  }

  @Test
  void aFileNotInItsFormat() throws IOException {
    Path f = write("train.parquet", "text,label\nnot,parquet\n");
    TaskFile t = task("train = train.parquet\ntext = text\nlabel = label\nkind = classification\n");
    GlueFormatException e = assertThrows(GlueFormatException.class, () -> read(t, Split.TRAIN));
    assertEquals(f.toString(), e.file());
    assertEquals(true, e.getMessage().startsWith(f + ": not a Parquet file ("), e.getMessage());
    write("train.txt", "x\n");
    TaskFile unknown = task("train = train.txt\ntext = text\nlabel = label\nkind = classification\n");
    GlueFormatException byName = assertThrows(GlueFormatException.class, () -> read(unknown, Split.TRAIN));
    assertEquals(true, byName.getMessage().contains("cannot tell its format by its name"), byName.getMessage());
  }

  @Test
  void aSplitTheTaskFileDoesNotNameOrThatDoesNotExist() throws IOException {
    TaskFile t = task("train = nothing-here.csv\ntext = text\nlabel = label\nkind = classification\n");
    InputException none = assertThrows(InputException.class, () -> TaskData.locate(t, Split.TEST, null, CONF));
    assertEquals("task file " + t.source() + " has no test table: set test = <file, directory or glob>",
        none.getMessage());
    InputException missing = assertThrows(InputException.class, () -> TaskData.locate(t, Split.TRAIN, null, CONF));
    assertEquals("the train table of task file " + t.source() + ", " + t.train() + ", does not exist",
        missing.getMessage());
  }
}
