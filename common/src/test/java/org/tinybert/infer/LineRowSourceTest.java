package org.tinybert.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tinybert.io.TableFormat;
import org.tinybert.io.Utf8LineReader;

/**
 * Units of a text file: whatever the split size, every line is read by exactly one unit, in order, with its line in
 * the file recoverable from the unit's own count ({@link LineRowSource#linesBefore}), over LF, CRLF and lone CR ends,
 * empty lines, a byte-order mark and a last line without an end.
 */
class LineRowSourceTest {
  @TempDir
  Path tmp;

  static byte[] file(long seed) {
    Random r = new Random(seed);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    String[] ends = {"\n", "\r\n", "\r"};
    for (int i = 0; i < 80; i++) {
      int words = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(12);
      StringBuilder s = new StringBuilder("l" + i);
      for (int w = 0; w < words; w++) s.append(' ').append("w").append(r.nextInt(1000));
      b.writeBytes(s.toString().getBytes(StandardCharsets.UTF_8));
      if (i < 79) b.writeBytes(ends[r.nextInt(3)].getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 64, 333, 100000})
  void everyLineIsReadOnceByTheUnitItStartsIn(int splitSize) throws Exception {
    byte[] bytes = file(splitSize);
    Path f = tmp.resolve("in.txt");
    Files.write(f, bytes);
    List<String> expected = new ArrayList<>();
    try (Utf8LineReader r = new Utf8LineReader(new ByteArrayInputStream(bytes))) {
      for (Utf8LineReader.Line l = r.next(); l != null; l = r.next()) expected.add(l.text());
    }
    Configuration conf = new Configuration();
    Columns columns = new Columns("text", null, null, null);
    List<String> read = new ArrayList<>();
    long linesSoFar = 0;
    for (long start = 0, i = 0; start < bytes.length; start += splitSize, i++) {
      InferUnit u = new InferUnit((int) i, f.toUri().toString(), TableFormat.TEXT, start,
          Math.min(bytes.length, start + splitSize), false, false, null, null, 0, 0);
      try (LineRowSource src = new LineRowSource(u, columns, conf)) {
        assertEquals(linesSoFar, LineRowSource.linesBefore(new org.apache.hadoop.fs.Path(u.file()), src.lineStart(),
            conf), "lines before " + u);
        for (InputRow row = src.next(); row != null; row = src.next()) {
          assertEquals(expected.get((int) (linesSoFar + row.position() - 1)), row.isBad() ? "" : row.text(),
              "line " + (linesSoFar + row.position()) + " of " + u);
          read.add(row.isBad() ? "" : row.text());
        }
        linesSoFar += src.lines();
      }
    }
    assertEquals(expected, read);
    assertEquals("l0", expected.get(0).split(" ")[0], "the byte-order mark is dropped");
  }
}
