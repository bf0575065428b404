package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class TokenizeSettingsTest {
  private static TokenizeSettings load(String... sets) {
    return TokenizeSettings.from(SettingsLoader.load(TokenizeSettings.ROOT, Optional.empty(), List.of(sets)));
  }

  @Test
  void inputPathAndCasedFromSet() {
    TokenizeSettings s = load("tinybert.tokenize.vocab=hdfs://nn:8020/m/vocab.txt", "tinybert.tokenize.cased=true",
        "tinybert.tokenize.input=/data/x.txt", "tinybert.tokenize.max-seq-length=3");
    assertEquals(new Path("hdfs://nn:8020/m/vocab.txt"), s.vocab());
    assertEquals(true, s.cased());
    assertEquals(3, s.maxSeqLength());
    assertEquals(Optional.of(new Path("/data/x.txt")), s.inputPath());
  }

  @Test
  void packingLengthTooShortForClsTokenSepAndMissingVocab() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> load("tinybert.tokenize.max-seq-length=2", "tinybert.tokenize.input=\"\""));
    assertEquals(List.of(
        "tinybert.tokenize.vocab must be set (a path), found nothing",
        "tinybert.tokenize.max-seq-length must be 0 (no packing) or >= 3, found 2 (--set on the command line)",
        "tinybert.tokenize.input must not be empty, found \"\" (--set on the command line)"),
        e.problems().stream().map(SettingsException.Problem::message).toList());
  }
}
