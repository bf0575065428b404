package org.tinybert.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabTest {
  private static final String SPECIALS = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";

  private static Vocab read(String text, String source) {
    return Vocab.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source);
  }

  @Test
  void goldenVocabularyHasBertsLayout() {
    Vocab v = GoldenTokenizerTest.vocab("/org/tinybert/golden/vocab.txt");
    assertEquals(512, v.size());
    assertEquals(0, v.padId());
    assertEquals(100, v.unkId());
    assertEquals(101, v.clsId());
    assertEquals(102, v.sepId());
    assertEquals(103, v.maskId());
    assertEquals("[MASK]", v.token(103));
  }

  @Test
  void idsAreLineNumbersWhateverTheLineEndingsAndSurroundingSpace() {
    Vocab v = read(SPECIALS + "  the\t\r\nof\u00a0\r\n\rend", "mixed.txt");
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "of", "", "end"), v.tokens());
    assertEquals(OptionalInt.of(5), v.find("the"));
    assertEquals(6, v.idOrUnk("of"));
    assertEquals(8, v.idOrUnk("end"));
    assertEquals(v.unkId(), v.idOrUnk("absent"));
    assertFalse(v.contains("absent"));
    assertEquals(OptionalInt.empty(), v.find(" the"));
  }

  @Test
  void aRepeatedTokenLooksUpToItsLastLine() {
    Vocab v = read(SPECIALS + "dup\nx\ndup\n", "dup.txt");
    assertEquals(8, v.size());
    assertEquals(7, v.idOrUnk("dup"));
    assertEquals("dup", v.token(5));
  }

  @Test
  void missingSpecialTokensAreNamedWithTheFile() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("[PAD]\n[UNK]\n[CLS]\n[SEP]\nword\n", "hdfs://nn/models/bert/vocab.txt"));
    assertTrue(e.getMessage().startsWith("hdfs://nn/models/bert/vocab.txt: "), e.getMessage());
    assertTrue(e.getMessage().contains("lacks the special token [MASK]"), e.getMessage());

    IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
        () -> read("[PAD]\n[MASK]\n[SEP]\n", "small.txt"));
    assertTrue(two.getMessage().contains("[UNK], [CLS]"), two.getMessage());
  }

  @Test
  void invalidUtf8NamesTheLine() {
    byte[] bytes = (SPECIALS + "fine\nbad\u00e9\n").getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 2] = (byte) 0xFF; // the second byte of é, on line 7
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Vocab.read(new ByteArrayInputStream(bytes), "broken.txt"));
    assertTrue(e.getMessage().startsWith("broken.txt: line 7 is not valid UTF-8"), e.getMessage());
    assertTrue(e.getMessage().contains("byte 4"), e.getMessage());
  }

  @Test
  void tokenIdOutOfRangeSaysTheRange() {
    Vocab v = read(SPECIALS, "five.txt");
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> v.token(5));
    assertTrue(e.getMessage().contains("[0, 5)") && e.getMessage().contains("five.txt"), e.getMessage());
  }

  @Test
  void tokensThatWouldNotSurviveAWriteAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Vocab.of(List.of("[PAD]", " x"), "list"));
    assertThrows(IllegalArgumentException.class, () -> Vocab.of(List.of("[PAD]", "a\nb"), "list"));
  }

  @Test
  void writeThenLoadKeepsEveryId(@TempDir java.nio.file.Path dir) throws IOException {
    Vocab v = GoldenTokenizerTest.vocab("/org/tinybert/golden/vocab.txt");
    Configuration conf = new Configuration();
    Path target = new Path(dir.toUri().toString(), "out/vocab.txt");
    v.write(target, conf);
    Vocab back = Vocab.load(target, conf);
    assertEquals(v.tokens(), back.tokens());
    assertEquals(target.toString(), back.source());
    byte[] original;
    try (var in = getClass().getResourceAsStream("/org/tinybert/golden/vocab.txt")) {
      original = in.readAllBytes();
    }
    assertArrayEquals(original, Files.readAllBytes(dir.resolve("out/vocab.txt")));
    try (var files = Files.list(dir.resolve("out"))) {
      List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
      assertEquals(List.of(), left, "temporary files left behind");
    }
  }

  @Test
  void loadingAMissingFileNamesIt(@TempDir java.nio.file.Path dir) {
    Path missing = new Path(dir.toUri().toString(), "nope/vocab.txt");
    var e = assertThrows(java.io.UncheckedIOException.class, () -> Vocab.load(missing, new Configuration()));
    assertTrue(e.getMessage().contains("nope/vocab.txt"), e.getMessage());
  }
}
