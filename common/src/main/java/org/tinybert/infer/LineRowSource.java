package org.tinybert.infer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.Utf8LineReader;

/**
 * The rows of a text, TSV or JSON-lines unit. A line belongs to the unit its first byte is in: a unit that starts
 * mid-line begins after the next line end, and a unit reads on past its end to finish the line it is in. Line ends are
 * {@link Utf8LineReader}'s (LF, CRLF, CR), so every line of a file is read by exactly one unit.
 */
final class LineRowSource implements RowSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InferUnit unit;
  private final Columns columns;
  private final InputStream in;
  private final Utf8LineReader reader;
  private final long lineStart;
  private final long end;
  private long lines;

  LineRowSource(InferUnit unit, Columns columns, Configuration conf) throws IOException {
    this.unit = unit;
    this.columns = columns;
    Path path = new Path(unit.file());
    FileSystem fs = HadoopIO.fs(path, conf);
    FSDataInputStream raw = fs.open(path);
    try {
      if (unit.compressed()) {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
        if (codec == null) throw new IOException(path + ": no compression codec for its name");
        in = codec.createInputStream(raw);
        lineStart = 0;
        end = Long.MAX_VALUE;
      } else {
        lineStart = firstLineAt(raw, unit.start());
        raw.seek(lineStart);
        in = raw;
        end = unit.end();
      }
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
    reader = new Utf8LineReader(in, lineStart == 0);
  }

  /** Where the first line starting at or after {@code start} starts (the file's length when none does). */
  static long firstLineAt(FSDataInputStream raw, long start) throws IOException {
    if (start == 0) return 0;
    raw.seek(start - 1);
    InputStream in = new BufferedInputStream(raw, 1 << 13);
    int before = in.read();
    if (before == '\n') return start;
    if (before == '\r') return in.read() == '\n' ? start + 1 : start;
    long pos = start;
    for (int c = in.read(); c >= 0; c = in.read()) {
      pos++;
      if (c == '\n') return pos;
      if (c == '\r') return in.read() == '\n' ? pos + 1 : pos;
    }
    return pos;
  }

  /** Lines of {@code file} before byte {@code lineStart}, which starts a line: for naming a bad row's line. */
  static long linesBefore(Path file, long lineStart, Configuration conf) throws IOException {
    if (lineStart == 0) return 0;
    long n = 0;
    try (Utf8LineReader r = new Utf8LineReader(HadoopIO.open(file, conf))) {
      while (r.position() < lineStart && r.next() != null) n++;
    }
    return n;
  }

  /** Where this unit's first line starts in the file. */
  long lineStart() {
    return lineStart;
  }

  /** A row's line counts from this unit's first line: the lines of the file before it are counted again. */
  @Override
  public long lineInFile(InputRow row, Configuration conf) throws IOException {
    return linesBefore(new Path(unit.file()), lineStart, conf) + row.position();
  }

  @Override
  public long lines() {
    return lines;
  }

  @Override
  public InputRow next() throws IOException {
    while (true) {
      if (lineStart + reader.position() >= end) return null;
      Utf8LineReader.Line line = reader.next();
      if (line == null) return null;
      lines++;
      if (unit.skipHeader() && lineStart == 0 && lines == 1) continue;
      if (!line.valid()) return InputRow.bad(lines, BadRowKind.INVALID_UTF8, line.encodingError());
      return switch (unit.format()) {
        case TEXT -> text(line.text());
        case TSV -> tsv(line.text());
        case JSONL -> jsonl(line.text());
        default -> throw new IllegalStateException("not a line format: " + unit.format());
      };
    }
  }

  private InputRow text(String line) {
    if (line.isBlank()) return InputRow.bad(lines, BadRowKind.EMPTY_TEXT, "empty line: expected a text");
    return InputRow.good(lines, null, line, null);
  }

  private InputRow tsv(String line) {
    return InputRow.ofFields(lines, line.split("\t", -1), unit.fields(), columns, "tab-separated");
  }

  private InputRow jsonl(String line) {
    JsonNode o;
    try {
      o = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return InputRow.bad(lines, BadRowKind.MALFORMED, "not valid JSON: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject()) {
      return InputRow.bad(lines, BadRowKind.MALFORMED, "expected a JSON object, found "
          + (o == null ? "nothing" : o.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    String[] names = {columns.text(), columns.pair(), columns.id()};
    String[] values = new String[3];
    for (int k = 0; k < 3; k++) {
      if (names[k] == null) continue;
      JsonNode v = o.get(names[k]);
      if (v == null || v.isNull()) {
        return InputRow.bad(lines, BadRowKind.MISSING_COLUMN, "no key '" + names[k] + "' (or null)");
      }
      if (k < 2 && !v.isTextual()) {
        return InputRow.bad(lines, BadRowKind.MALFORMED, "key '" + names[k] + "' must be a string, found "
            + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
      }
      if (k == 2 && !v.isValueNode()) {
        return InputRow.bad(lines, BadRowKind.MALFORMED, "key '" + names[k] + "' must be a string or a number, "
            + "found " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
      }
      values[k] = v.asText();
    }
    return InputRow.ofTexts(lines, columns, values[0], values[1], values[2]);
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
