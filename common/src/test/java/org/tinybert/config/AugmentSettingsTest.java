package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.glue.GlueTask;

class AugmentSettingsTest {
  private static AugmentSettings load(String... sets) {
    List<String> all = new ArrayList<>(List.of("tinybert.augment.task=sst-2", "tinybert.augment.input=/g/train.tsv",
        "tinybert.augment.glove=hdfs://nn:8020/glove.840B.300d.txt.gz", "tinybert.augment.mlm=/models/bert-base",
        "tinybert.augment.output=/g/train_aug.tsv"));
    all.addAll(List.of(sets));
    return AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), all));
  }

  @Test
  void defaultsAreThePapers() {
    AugmentSettings s = load();
    assertEquals(GlueTask.SST_2, s.task());
    assertEquals(new Path("hdfs://nn:8020/glove.840B.300d.txt.gz"), s.glove());
    assertEquals(0.4, s.replaceProbability());
    assertEquals(15, s.topK());
    assertEquals(20, s.effectiveVariants());
    assertEquals(100_000, s.gloveVocabLimit());
    assertEquals(Optional.empty(), s.sideOutputPath());
    assertFalse(s.skipMalformedRows());
    assertFalse(s.skipMalformedGlove());
  }

  @ParameterizedTest(name = "{0}: N={1}")
  @CsvSource({"cola, 30", "sst-2, 20", "mrpc, 30", "sts-b, 30", "qqp, 10", "mnli, 10", "qnli, 20", "rte, 30",
      "wnli, 7"})
  void tinyBertsNPerTask(String task, int n) {
    AugmentSettings s = load("tinybert.augment.task=" + task, "tinybert.augment.task-variants=true",
        "tinybert.augment.variants=7");
    assertEquals(n, s.effectiveVariants());
  }

  @Test
  void malformedRowsFollowTheTaskUnlessTold() {
    assertTrue(load("tinybert.augment.task=qqp").skipMalformedRows());
    assertFalse(load("tinybert.augment.task=qqp", "tinybert.augment.bad-rows=fail").skipMalformedRows());
    assertTrue(load("tinybert.augment.bad-rows=skip").skipMalformedRows());
    assertEquals(Optional.of(new Path("/g/side.jsonl")),
        load("tinybert.augment.side-output=/g/side.jsonl").sideOutputPath());
  }

  @Test
  void aTaskFilesAugmentedSetGoesToItsTrainAugUnlessTold(@TempDir java.nio.file.Path dir) throws Exception {
    String task = "text = review\nlabel = label\nkind = classification\nmetrics = [accuracy]\n"
        + "best-by = accuracy\nformat = csv\ntrain = \"train.csv\"\n";
    java.nio.file.Path withAug = Files.writeString(dir.resolve("reviews.conf"), task + "train-aug = \"aug.csv\"\n");
    java.nio.file.Path without = Files.writeString(dir.resolve("plain.conf"), task);
    List<String> common = List.of("tinybert.augment.glove=/g/glove.txt", "tinybert.augment.mlm=/models/bert-base");
    List<String> sets = new ArrayList<>(common);
    sets.add("tinybert.augment.task=" + withAug);
    AugmentSettings s = AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), sets));
    assertTrue(s.input().toString().endsWith(dir.resolve("train.csv").toString()), s.input().toString());
    assertTrue(s.output().toString().endsWith(dir.resolve("aug.csv").toString()), s.output().toString());
    sets.add("tinybert.augment.output=/elsewhere/aug.csv");
    assertEquals(new Path("/elsewhere/aug.csv"),
        AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), sets)).output());
    List<String> plain = new ArrayList<>(common);
    plain.add("tinybert.augment.task=" + without);
    SettingsException e = assertThrows(SettingsException.class,
        () -> AugmentSettings.from(SettingsLoader.load(AugmentSettings.ROOT, Optional.empty(), plain)));
    assertTrue(e.getMessage().contains("tinybert.augment.output must be set: the task file names no train-aug table"),
        e.getMessage());
  }

  @Test
  void everyProblemAtOnce() {
    SettingsException e = assertThrows(SettingsException.class, () -> load("tinybert.augment.task=ax",
        "tinybert.augment.replace-probability=1.5", "tinybert.augment.top-k=0",
        "tinybert.augment.malformed-glove-lines=ignore", "tinybert.augment.output=/g/train.tsv"));
    List<String> messages = e.problems().stream().map(SettingsException.Problem::message).toList();
    assertEquals(5, messages.size(), messages.toString());
    assertTrue(messages.get(0).startsWith("tinybert.augment.task must be one of cola, sst-2, mrpc"), messages.get(0));
    assertTrue(messages.get(0).endsWith("(in any case), found \"ax\" (--set on the command line)"), messages.get(0));
    assertEquals("tinybert.augment.replace-probability must be in [0.0, 1.0], found 1.5 (--set on the command line)",
        messages.get(1));
    assertEquals("tinybert.augment.top-k must be >= 1, found 0 (--set on the command line)", messages.get(2));
    assertTrue(messages.get(3).startsWith("tinybert.augment.malformed-glove-lines must be one of fail, skip"));
    assertEquals("tinybert.augment.output must differ from tinybert.augment.input, found \"/g/train.tsv\""
        + " (--set on the command line)", messages.get(4));
  }
}
