package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.tinybert.io.TableFormat;
import org.tinybert.config.OutputFormat;
import org.tinybert.config.OutputKind;
import org.tinybert.glue.GlueTask;

class InferSettingsTest {
  private static final String K = InferSettings.ROOT + ".";

  private static InferSettings load(String... sets) {
    List<String> all = new ArrayList<>(List.of(K + "model=/m", K + "input=hdfs://nn:8020/t", K + "output=/o"));
    all.addAll(List.of(sets));
    return InferSettings.from(SettingsLoader.load(InferSettings.ROOT, Optional.empty(), all));
  }

  private static List<String> problems(String... sets) {
    SettingsException e = assertThrows(SettingsException.class, () -> load(sets));
    return e.problems().stream().map(SettingsException.Problem::message).toList();
  }

  @Test
  void defaults() {
    InferSettings s = load();
    assertEquals(new Path("hdfs://nn:8020/t"), s.input());
    assertEquals(TableFormat.AUTO, s.format());
    assertEquals(OutputKind.AUTO, s.outputKind());
    assertEquals(OutputFormat.PARQUET, s.outputFormat());
    assertEquals("text", s.textColumn());
    assertEquals(false, s.pairs());
    assertEquals(false, s.hasId());
    assertEquals(8L << 20, s.splitSize());
    assertEquals(false, s.skipBadRows());
    assertEquals(128, s.effectiveMaxSeqLength(512));
    assertEquals(64, s.effectiveMaxSeqLength(64), "no more than the model's positions");
  }

  @Test
  void inferReadsTextAndCsv() {
    assertEquals(TableFormat.CSV, load(K + "format=csv").format());
    assertTrue(problems(K + "format=xml").get(0).startsWith(K
        + "format must be one of auto, text, tsv, csv, jsonl, parquet"));
    assertEquals(TableFormat.CSV, TableFormat.ofName("x.csv.gz", InferSettings.FORMATS, TableFormat.TEXT));
    assertEquals(TableFormat.TEXT, TableFormat.ofName("part-00000", InferSettings.FORMATS, TableFormat.TEXT));
    assertEquals(TableFormat.PARQUET,
        TableFormat.ofName("part-0-x.snappy.parquet", InferSettings.FORMATS, TableFormat.TEXT));
    assertEquals(TableFormat.TSV, TableFormat.ofName("train.tsv.gz", InferSettings.FORMATS, TableFormat.TEXT));
  }

  @Test
  void theTaskGivesTheSequenceLength() {
    InferSettings s = load(K + "task=sst-2", K + "split-size=512k");
    assertEquals(GlueTask.SST_2, s.task());
    assertEquals(64, s.effectiveMaxSeqLength(512));
    assertEquals(512L << 10, s.splitSize());
    assertEquals(100, load(K + "task=sst-2", K + "max-seq-length=100").effectiveMaxSeqLength(512));
  }

  @Test
  void everyProblemAtOnce() {
    List<String> p = problems(K + "format=tsvv", K + "text-pair-column=text", K + "max-seq-length=1",
        K + "labels=[a, b]", K + "task=nope", K + "split-size=lots", K + "bad-rows=ignore");
    assertEquals(7, p.size(), p.toString());
    assertTrue(p.get(0).startsWith(K + "format must be one of auto, text, tsv, csv, jsonl, parquet (did you mean tsv?)"),
        p.get(0));
    assertTrue(p.stream().anyMatch(m -> m.startsWith(K + "max-seq-length must be 0 (the task's, or 128) or >= 3")), p
        .toString());
    assertTrue(p.stream().anyMatch(m -> m.startsWith(K + "task must be \"\" or one of cola")), p.toString());
    assertTrue(p.stream().anyMatch(m -> m.startsWith(K + "split-size must be a size in bytes")), p.toString());
    assertTrue(p.stream().anyMatch(m -> m.startsWith(K + "text-pair-column must differ from " + K + "text-column")),
        p.toString());
  }

  @Test
  void textHasNoOtherColumnsAndLabelsExcludeATask() {
    List<String> p = problems(K + "format=text", K + "id-column=id", K + "labels=[a, b]", K + "task=mrpc");
    assertEquals(List.of(K + "labels must be [] when " + K + "task is set (the task names the labels), found "
        + "[\"a\",\"b\"] (--set on the command line)", K + "id-column must be \"\" for text input (one text per line), "
        + "found \"id\" (--set on the command line)"), p);
  }
}
