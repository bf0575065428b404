package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading GloVe's text format: limits, compression, normalisation, and the errors that name file and line. */
class GloveVectorsTest {
  static GloveVectors load(String name, int limit, boolean skip) throws Exception {
    return GloveVectors.load(AugmentFixtures.path(name), new Configuration(), new GloveVectors.Options(limit, skip, 5));
  }

  /** Lines of glove.txt: one word each. */
  static int lines() throws Exception {
    return java.nio.file.Files.readAllLines(AugmentFixtures.file("glove.txt")).size();
  }

  @Test
  void readsWordsAndUnitVectors() throws Exception {
    GloveVectors g = load("glove.txt", 100_000, false);
    assertEquals(lines(), g.size());
    assertEquals(8, g.dim());
    assertEquals("film", g.word(0));
    for (int i = 0; i < g.size(); i++) {
      if (!g.usable(i)) continue;
      double ss = 0;
      for (float x : g.vector(i)) ss += x * x;
      assertEquals(1.0, ss, 1e-5, g.word(i));
    }
    // <unk> keeps a zero vector; a repeated word takes its later line and its earlier row is never a neighbour.
    assertFalse(g.usable(g.indexOf(GloveVectors.UNKNOWN)));
    assertEquals(lines() - 1, g.indexOf("happy"));
    assertFalse(g.usable(6));
    assertEquals("happy", g.word(6));
    assertEquals(-1, g.indexOf("zebra"));
  }

  @Test
  void gzipEqualsPlainAndTheLimitTakesTheFirstWords() throws Exception {
    GloveVectors plain = load("glove.txt", 100_000, false);
    GloveVectors gz = load("glove.txt.gz", 100_000, false);
    assertEquals(plain.size(), gz.size());
    for (int i = 0; i < plain.size(); i++) {
      assertEquals(plain.word(i), gz.word(i));
      assertArrayEquals(plain.vector(i), gz.vector(i));
    }
    GloveVectors first = load("glove.txt", 12, false);
    assertEquals(12, first.size());
    assertEquals(plain.word(11), first.word(11));
    assertTrue(first.usable(6), "happy's second line lies past the limit");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      glove_bad_dim.txt    | 4 | expected 8 numbers after the word (the dimension of line 1), found 7
      glove_bad_utf8.txt   | 3 | invalid UTF-8 at byte 4 of the line
      glove_word2vec.txt   | 1 | looks like the header of word2vec's text format
      """)
  void malformedLinesNameFileAndLine(String file, int line, String message) {
    GloveFormatException e = assertThrows(GloveFormatException.class, () -> load(file, 100_000, false));
    assertEquals(line, e.line());
    assertTrue(e.getMessage().startsWith(AugmentFixtures.path(file) + ":" + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void malformedLinesCanBeSkippedAndCounted() throws Exception {
    GloveVectors g = load("glove_bad_dim.txt", 100_000, true);
    assertEquals(lines() - 1, g.size());
    assertEquals(1, g.skippedLines());
    assertEquals(-1, g.indexOf(GloveVectors.UNKNOWN));
    assertTrue(g.skippedReasons().get(0).startsWith("line 4: expected 8 numbers"), g.skippedReasons().toString());
  }

  @Test
  void survivesSerializationAsABroadcastWould() throws Exception {
    GloveVectors g = load("glove.txt", 100_000, false);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(g);
    }
    GloveVectors back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (GloveVectors) in.readObject();
    }
    assertEquals(g.indexOf("quietly"), back.indexOf("quietly"));
    assertEquals(lines() - 1, back.indexOf("happy"));
    assertArrayEquals(g.vector(7), back.vector(7));
    assertEquals(g.matrix(), back.matrix());
  }
}
