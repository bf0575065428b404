package org.tinybert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8LineReaderTest {

  /** Input with \n, \r and \b standing for LF, CR and a byte-order mark; lines joined by '|'. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "a\\nb\\n;a|b",
      "a\\nb;a|b",
      "a\\r\\nb\\r\\n;a|b",
      "a\\rb\\r;a|b",
      "a\\n\\nb\\n;a||b",
      "\\ba\\tx\\n\\bb\\n;a\tx|\uFEFFb",
      "\\n;''",
      "\\r\\n\\r;'|'",
  })
  void splitsLinesAsPythonsUniversalNewlines(String input, String lines) throws IOException {
    byte[] bytes = input.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t").replace("\\b", "\uFEFF")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(List.of(lines.split("\\|", -1)), readAll(new ByteArrayInputStream(bytes)));
  }

  @Test
  void emptyInputHasNoLines() throws IOException {
    assertEquals(List.of(), readAll(new ByteArrayInputStream(new byte[0])));
  }

  @Test
  void aBadLineIsReportedByNumberAndReadingGoesOn() throws IOException {
    byte[] bytes = {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xC3, '\n', (byte) 0xE2, (byte) 0x82, (byte) 0xAC, '\n'};
    try (Utf8LineReader r = new Utf8LineReader(new ByteArrayInputStream(bytes))) {
      assertEquals("ok", r.next().text());
      Utf8LineReader.Line bad = r.next();
      assertEquals(2, bad.number());
      assertNull(bad.text());
      assertEquals("invalid UTF-8 at byte 4 of the line: expected a UTF-8 character, found 0xC3", bad.encodingError());
      Utf8LineReader.Line euro = r.next();
      assertEquals(3, euro.number());
      assertEquals("\u20ac", euro.text());
      assertNull(r.next());
    }
  }

  /** A CRLF split across two reads of the underlying stream is still one line end. */
  @Test
  void crlfAcrossBufferRefills() throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("x".repeat((1 << 16) - 1)).append("\r\ny\n");
    InputStream in = new ByteArrayInputStream(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> lines = readAll(in);
    assertEquals(2, lines.size());
    assertEquals("y", lines.get(1));
  }

  /** Bytes consumed through each line's end, across a refill too; a byte-order mark is kept mid-file. */
  @Test
  void positionCountsTheBytesOfTheLinesReturned() throws IOException {
    String big = "x".repeat((1 << 16) - 1);
    byte[] bytes = ("\uFEFFab\r\n" + big + "\r\nc").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (Utf8LineReader r = new Utf8LineReader(new ByteArrayInputStream(bytes), false)) {
      assertEquals(0, r.position());
      assertEquals("\uFEFFab", r.next().text());
      assertEquals(7, r.position());
      assertEquals(big, r.next().text());
      assertEquals(7 + big.length() + 2, r.position());
      assertEquals("c", r.next().text());
      assertEquals(bytes.length, r.position());
      assertNull(r.next());
      assertEquals(bytes.length, r.position());
    }
  }

  private static List<String> readAll(InputStream in) throws IOException {
    List<String> out = new ArrayList<>();
    try (Utf8LineReader r = new Utf8LineReader(in)) {
      for (Utf8LineReader.Line l = r.next(); l != null; l = r.next()) out.add(l.text());
    }
    return out;
  }
}
