package org.tinybert.infer;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.tinybert.io.Csv;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputFileException;

/**
 * The rows of a CSV unit: a whole file, its first record the header. A row is named by the line the parser is on once
 * it has read the row, as task tables name theirs. Bytes that are not UTF-8 stop the file, naming their line,
 * whatever {@code bad-rows} says: the parser cannot tell where the next row starts after them.
 */
final class CsvRowSource implements RowSource {
  private final InferUnit unit;
  private final Columns columns;
  private final Reader reader;
  private final CsvParser parser;
  private final Csv.Reopen reopen;
  private boolean headerRead;

  CsvRowSource(InferUnit unit, Columns columns, Configuration conf) throws IOException {
    this.unit = unit;
    this.columns = columns;
    Path path = new Path(unit.file());
    CompressionCodec codec = unit.compressed() ? codec(path, conf) : null;
    this.reopen = () -> open(path, codec, conf);
    this.reader = Csv.strictUtf8(reopen.open());
    this.parser = Csv.parser();
    begin(parser, reader, unit.file(), reopen);
  }

  /** The header of a CSV file: its first record, each name stripped; empty for an empty file. */
  static List<String> header(Path file, CompressionCodec codec, Configuration conf) throws IOException {
    CsvParser p = Csv.parser();
    Csv.Reopen reopen = () -> open(file, codec, conf);
    try (Reader r = Csv.strictUtf8(reopen.open())) {
      begin(p, r, file.toString(), reopen);
      String[] first = parse(p, file.toString(), reopen);
      p.stopParsing();
      return first == null ? List.of() : Arrays.stream(first).map(String::strip).toList();
    }
  }

  private static InputStream open(Path file, CompressionCodec codec, Configuration conf) throws IOException {
    InputStream raw = HadoopIO.open(file, conf);
    return codec == null ? raw : codec.createInputStream(raw);
  }

  private static CompressionCodec codec(Path file, Configuration conf) throws IOException {
    CompressionCodec c = new CompressionCodecFactory(conf).getCodec(file);
    if (c == null) throw new IOException(file + ": no compression codec for its name");
    return c;
  }

  /** Starts parsing; the parser reads ahead, so a file's first bytes can already fail it. */
  private static void begin(CsvParser p, Reader r, String file, Csv.Reopen reopen) throws IOException {
    try {
      p.beginParsing(r);
    } catch (TextParsingException e) {
      throw failed(e, file, reopen);
    }
  }

  private static String[] parse(CsvParser p, String file, Csv.Reopen reopen) throws IOException {
    try {
      return p.parseNext();
    } catch (TextParsingException e) {
      throw failed(e, file, reopen);
    }
  }

  private static InputFileException failed(TextParsingException e, String file, Csv.Reopen reopen)
      throws IOException {
    Csv.Failure f = Csv.failure(e, reopen);
    return new InputFileException(file, f.line(), "cannot be read as CSV: " + f.reason());
  }

  /** A CSV unit is its whole file, so a row's line is already the file's. */
  @Override
  public long lineInFile(InputRow row, Configuration conf) {
    return row.position();
  }

  @Override
  public long lines() {
    return parser.getContext().currentLine();
  }

  @Override
  public InputRow next() throws IOException {
    if (!headerRead) {
      headerRead = true;
      if (parse(parser, unit.file(), reopen) == null) return null;
    }
    String[] r = parse(parser, unit.file(), reopen);
    if (r == null) return null;
    long line = parser.getContext().currentLine();
    if (r.length == 1 && r[0].isEmpty()) {
      return InputRow.bad(line, BadRowKind.EMPTY_TEXT, "empty line: expected a CSV row");
    }
    return InputRow.ofFields(line, r, unit.fields(), columns, "comma-separated");
  }

  @Override
  public void close() throws IOException {
    parser.stopParsing();
    reader.close();
  }
}
