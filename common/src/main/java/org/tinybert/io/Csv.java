package org.tinybert.io;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RFC 4180 CSV as every reader of the project parses it (task tables, {@code infer}'s input): univocity's parser,
 * the one Spark's own CSV source uses, so a table Spark or pandas wrote reads back cell for cell. Quoted fields may
 * hold commas, quotes and line breaks, which is why a CSV file is never split by bytes.
 */
public final class Csv {
  private Csv() {}

  /**
   * A parser that returns every record as written: the header is a record like the others (callers resolve their
   * columns from it), an empty field is an empty text, blank lines come back as a record of one empty field (callers
   * name them by line), and line ends are detected from the file (LF, CRLF or CR).
   */
  public static CsvParser parser() {
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(false);
    s.setNullValue("");
    s.setEmptyValue("");
    s.setMaxCharsPerColumn(1 << 20);
    s.setMaxColumns(4096);
    s.setLineSeparatorDetectionEnabled(true);
    s.setSkipEmptyLines(false);
    return new CsvParser(s);
  }

  /** The bytes as strict UTF-8: a byte sequence that is not UTF-8 stops the parser with the line it is on. */
  public static Reader strictUtf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  /** Where a parser stopped and why. */
  public record Failure(long line, String reason) {}

  /** Opens a file's bytes again (decompressed), to look for where they stop being UTF-8. */
  @FunctionalInterface
  public interface Reopen {
    InputStream open() throws IOException;
  }

  /**
   * What stopped the parser: a field too long or too many columns at the parser's line; bytes that are not UTF-8 at
   * their own line, found by reading the file again line by line (the parser decodes ahead of the row it is on, so
   * its own line can be rows before the bad bytes).
   */
  public static Failure failure(TextParsingException e, Reopen file) throws IOException {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    if (cause instanceof CharacterCodingException) {
      try (Utf8LineReader lines = new Utf8LineReader(file.open())) {
        for (Utf8LineReader.Line l = lines.next(); l != null; l = lines.next()) {
          if (!l.valid()) return new Failure(l.number(), l.encodingError());
        }
      }
    }
    return new Failure(Math.max(1, e.getLineIndex() + 1),
        String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
  }
}
