package org.tinybert.glue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.tinybert.io.Csv;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.InputFiles;
import org.tinybert.io.TableFormat;
import org.tinybert.io.Utf8LineReader;

/**
 * Reads one split of a {@link TaskFile} into {@link GlueExample}s: every file of its table (a file, a directory of
 * parts or a glob, in path order), each in the task's format or the one its name implies. The columns are found by
 * name: a TSV or CSV header, JSON keys, the Parquet schema. CSV goes through univocity's parser (Spark's own), JSON
 * lines through Jackson, Parquet through parquet-hadoop's example reader, so quoting, escapes and encodings are theirs.
 *
 * <p>A bad row (a missing column or value, an empty text, a label not among the task's labels, a regression label
 * that is not a number, a line that is not a JSON object) stops the read with a {@link GlueFormatException} naming the
 * file, the line (Parquet: the row and its row group) and what was expected; with {@code bad-rows = skip} it is
 * skipped and counted. A file that is not in its format at all (a header without the columns, bytes that are not
 * Parquet) always stops the read.
 */
public final class TaskTableReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper WHOLE_JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private TaskTableReader() {}

  /**
   * One row as read: the text, pair, label and id cells (null where the row has none), or why it is bad; and, when
   * read whole, the row as its format holds it.
   */
  private record Row(long number, String where, String[] cells, String problem, Object whole) {
    Row(long number, String where, String[] cells, String problem) {
      this(number, where, cells, problem, null);
    }

    Row withWhole(Object row) {
      return new Row(number, where, cells, problem, row);
    }
  }

  /** A source of rows of one file. */
  private interface Rows extends AutoCloseable {
    Row next() throws IOException;

    /** The file's columns as its header or schema names them (TSV, CSV: a list; Parquet: the schema); null for JSON. */
    default Object header() {
      return null;
    }

    @Override
    void close() throws IOException;
  }

  /**
   * Reads {@code split} of {@code task} from {@code table}.
   *
   * @param table the split's table ({@link TaskFile#path}); any Hadoop path, directory or glob
   */
  public static GlueExamples read(TaskFile task, Split split, Path table, Configuration conf,
      GlueReader.Options options) throws IOException {
    // The id matters where predictions are written (test); the labelled splits need not have it.
    return read(task, split, table, conf, options, split == Split.TEST);
  }

  /**
   * As {@link #read(TaskFile, Split, Path, Configuration, GlueReader.Options)}; {@code ids}: each example's index is
   * its {@code id} cell (when the task names an id column), else its 0-based row number.
   */
  public static GlueExamples read(TaskFile task, Split split, Path table, Configuration conf,
      GlueReader.Options options, boolean ids) throws IOException {
    boolean labelled = split.labelled();
    String id = ids ? task.id() : null;
    String[] columns = {task.text(), task.textPair(), labelled ? task.label() : null, id};
    List<GlueExample> examples = new ArrayList<>();
    Scan scan = scan(task, split, table, conf, options, columns, false, (file, format, rows, r, ordinal) -> {
      String[] c = r.cells();
      String index = id == null ? Long.toString(ordinal) : c[3];
      examples.add(new GlueExample(split.guidPrefix() + "-" + index, index, c[0], c[1],
          labelled ? normalLabel(task, c[2]) : null, r.number()));
    });
    return new GlueExamples(task, split, table, examples, scan.skipped(), scan.reasons());
  }

  /**
   * A table read whole, for a job that writes it back with only its texts changed (augment): every good row as its
   * format holds it (TSV and CSV cells, a JSON object, a Parquet record), every column kept. The rows are checked as
   * {@link #read} checks them; a bad one stops the read naming file and line, or is skipped and counted.
   *
   * @param format the format of every file of the table
   * @param header TSV and CSV: the header's columns; null otherwise
   * @param schema Parquet: the files' schema; null otherwise
   * @param textColumns the task's text column, and its text-pair column if any
   */
  public record WholeTable(TaskFile task, TableFormat format, List<String> header, MessageType schema,
      List<String> textColumns, List<WholeRow> rows, long skipped, List<String> reasons) {}

  /**
   * One good row of a {@link WholeTable}.
   *
   * @param number the row's 1-based number among the table's data rows (files in path order, skipped rows counted)
   * @param texts its text and text-pair cells
   * @param row the row as its format holds it: {@code String[]} (TSV, CSV), {@code ObjectNode} (JSON lines),
   *     {@code Group} (Parquet)
   */
  public record WholeRow(long number, String[] texts, Object row) {}

  /** Reads {@code split} of {@code task} from {@code table} whole; see {@link WholeTable}. */
  public static WholeTable readWhole(TaskFile task, Split split, Path table, Configuration conf,
      GlueReader.Options options) throws IOException {
    String[] columns = {task.text(), task.textPair(), split.labelled() ? task.label() : null, null};
    List<WholeRow> rows = new ArrayList<>();
    TableFormat[] format = {null};
    Object[] header = {null};
    String[] first = {null};
    Scan scan = scan(task, split, table, conf, options, columns, true, (file, f, source, r, ordinal) -> {
      if (format[0] == null) {
        format[0] = f;
        header[0] = source.header();
        first[0] = file.toString();
      } else if (f != format[0]) {
        throw new GlueFormatException(file.toString(), "is " + f.key() + " but " + first[0] + ", the table's first "
            + "file, is " + format[0].key() + ": a table written back has one format (set format in task file "
            + task.source() + ")");
      } else if (!Objects.equals(header[0], source.header())) {
        String problem = "its columns " + GlueRowParser.abbreviate(String.valueOf(source.header()))
            + " differ from those of " + first[0] + ", the table's first file, "
            + GlueRowParser.abbreviate(String.valueOf(header[0]));
        throw f.lines() ? new GlueFormatException(file.toString(), 1, problem)
            : new GlueFormatException(file.toString(), problem);
      }
      rows.add(new WholeRow(ordinal + 1, new String[] {r.cells()[0], r.cells()[1]}, r.whole()));
    });
    TableFormat f = format[0] != null ? format[0] : task.format();
    List<String> texts = task.textPair() == null ? List.of(task.text()) : List.of(task.text(), task.textPair());
    @SuppressWarnings("unchecked")
    List<String> h = header[0] instanceof List<?> l ? (List<String>) l : null;
    return new WholeTable(task, f, h, header[0] instanceof MessageType m ? m : null, texts, rows, scan.skipped(),
        scan.reasons());
  }

  /** What {@link #scan} did not hand on: the rows it skipped. */
  private record Scan(long skipped, List<String> reasons) {}

  /** Takes each good row of a table, with its file, format, source and 0-based ordinal (skipped rows counted). */
  private interface RowSink {
    void row(Path file, TableFormat format, Rows source, Row r, long ordinal) throws IOException;
  }

  /** Every row of every file of {@code table}, checked: good ones to {@code sink}, bad ones failed or counted. */
  private static Scan scan(TaskFile task, Split split, Path table, Configuration conf, GlueReader.Options options,
      String[] columns, boolean whole, RowSink sink) throws IOException {
    boolean labelled = columns[2] != null;
    List<InputFiles.Listed> files = InputFiles.list(List.of(table.toString()), "task " + TaskFile.key(split)
        + " table of " + task, (m, e) -> new InputException(m, e), conf);
    boolean skip = options.skips(task);
    List<String> reasons = new ArrayList<>();
    long skipped = 0;
    long ordinal = 0;
    for (InputFiles.Listed f : files) {
      Path file = new Path(f.path());
      TableFormat format = task.format() != TableFormat.AUTO ? task.format()
          : TableFormat.ofName(file.getName(), TaskFile.FORMATS, null);
      if (format == null) {
        throw new GlueFormatException(f.path(), "cannot tell its format by its name (.tsv, .csv, .jsonl, "
            + ".parquet): set format in task file " + task.source());
      }
      if (f.size() == 0) continue;
      try (Rows rows = open(format, file, columns, conf, whole)) {
        for (Row r = rows.next(); r != null; r = rows.next()) {
          String problem = r.problem() != null ? r.problem() : check(task, columns, r.cells(), labelled);
          if (problem != null) {
            if (!skip) {
              throw format.lines() ? new GlueFormatException(f.path(), r.number(), problem + hint(task))
                  : new GlueFormatException(f.path(), r.where() + ": " + problem + hint(task));
            }
            skipped++;
            if (reasons.size() < options.reasonsKept()) reasons.add(f.path() + " " + r.where() + ": " + problem);
            ordinal++;
            continue;
          }
          sink.row(file, format, rows, r, ordinal);
          ordinal++;
        }
      }
    }
    return new Scan(skipped, reasons);
  }

  private static String hint(TaskFile task) {
    return " (set bad-rows = skip in task file " + task.source() + " to skip and count such rows)";
  }

  /** What is wrong with a row's cells, or null. */
  private static String check(TaskFile task, String[] columns, String[] cells, boolean labelled) {
    for (int k = 0; k < 4; k++) {
      if (columns[k] != null && cells[k] == null) return "no value in column '" + columns[k] + "'";
    }
    for (int k = 0; k < 2; k++) {
      if (columns[k] != null && cells[k].isBlank()) return "empty text in column '" + columns[k] + "'";
    }
    if (columns[3] != null && cells[3].isBlank()) return "empty id in column '" + columns[3] + "'";
    if (!labelled) return null;
    String label = cells[2];
    if (task.outputMode() == OutputMode.REGRESSION) {
      if (!GlueRowParser.isNumber(label)) {
        return "expected a number (the regression label) in column '" + columns[2] + "', found '"
            + GlueRowParser.abbreviate(label) + "'";
      }
    } else if (task.labelsKnown() && !task.labels().contains(normalLabel(task, label))) {
      return "label '" + GlueRowParser.abbreviate(label) + "' in column '" + columns[2] + "' is not one of "
          + task.labels();
    } else if (label.isBlank()) {
      return "empty label in column '" + columns[2] + "'";
    }
    return null;
  }

  /** Classification labels are names: a JSON or Parquet number 1.0 is the label "1" when the labels say so. */
  private static String normalLabel(TaskFile task, String label) {
    if (task.outputMode() == OutputMode.REGRESSION) return label;
    String t = label.strip();
    if (task.labelsKnown() && !task.labels().contains(t) && t.matches("-?\\d+\\.0+")) {
      String whole = t.substring(0, t.indexOf('.'));
      if (task.labels().contains(whole)) return whole;
    }
    return t;
  }

  private static Rows open(TableFormat format, Path file, String[] columns, Configuration conf, boolean whole)
      throws IOException {
    return switch (format) {
      case TSV -> new TsvRows(file, columns, conf, whole);
      case CSV -> new CsvRows(file, columns, conf, whole);
      case JSONL -> new JsonlRows(file, columns, conf, whole);
      case PARQUET -> new ParquetRows(file, columns, conf, whole);
      case AUTO -> throw new IllegalStateException("auto is resolved per file");
      case TEXT -> throw new IllegalStateException("a task file's table has columns: text is not among its formats");
    };
  }

  /** The file's bytes, decompressed when its name names a codec ({@code .gz}, {@code .bz2}). */
  private static InputStream stream(Path file, Configuration conf) throws IOException {
    InputStream raw = HadoopIO.open(file, conf);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    return codec == null ? raw : codec.createInputStream(raw);
  }

  /** The position of each wanted column in a header; a missing one fails the file (not skippable). */
  private static int[] positions(String file, List<String> header, String[] columns, String what) {
    int[] at = new int[columns.length];
    for (int k = 0; k < columns.length; k++) {
      at[k] = columns[k] == null ? -1 : header.indexOf(columns[k]);
      if (columns[k] != null && at[k] < 0) {
        throw new GlueFormatException(file, 1, "no column '" + columns[k] + "' in the " + what + " header "
            + GlueRowParser.abbreviate(header.toString()) + "; the task file names columns "
            + Arrays.stream(columns).filter(c -> c != null).toList());
      }
    }
    return at;
  }

  private static Row cellsAt(long line, String[] fields, int[] at, String[] columns, String what) {
    String[] cells = new String[4];
    for (int k = 0; k < 4; k++) {
      if (at[k] < 0) continue;
      if (at[k] >= fields.length) {
        return new Row(line, "line " + line, null, "no column '" + columns[k] + "': expected at least "
            + (at[k] + 1) + " " + what + " fields, found " + fields.length);
      }
      cells[k] = fields[at[k]];
    }
    return new Row(line, "line " + line, cells, null);
  }

  /** Tab-separated lines with a header, no quoting (GLUE's convention). */
  private static final class TsvRows implements Rows {
    private final Utf8LineReader lines;
    private final String[] columns;
    private int[] at;
    private List<String> header;
    private final String file;
    private final boolean whole;

    TsvRows(Path file, String[] columns, Configuration conf, boolean whole) throws IOException {
      this.lines = new Utf8LineReader(stream(file, conf));
      this.columns = columns;
      this.file = file.toString();
      this.whole = whole;
    }

    @Override
    public Object header() {
      return header;
    }


    @Override
    public Row next() throws IOException {
      Utf8LineReader.Line l = lines.next();
      if (l == null) return null;
      if (!l.valid()) {
        if (at == null) throw new GlueFormatException(file, l.number(), l.encodingError());
        return new Row(l.number(), "line " + l.number(), null, l.encodingError());
      }
      if (at == null) {
        header = GlueRowParser.splitFields(l.text());
        at = positions(file, header, columns, "tab-separated");
        return next();
      }
      String[] fields = GlueRowParser.splitFields(l.text()).toArray(new String[0]);
      Row r = cellsAt(l.number(), fields, at, columns, "tab-separated");
      return whole ? r.withWhole(fields) : r;
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }

  /** RFC 4180 CSV with a header, by univocity's parser; an empty unquoted field is an empty text. */
  private static final class CsvRows implements Rows {
    private final CsvParser parser;
    private final Reader reader;
    private final String[] columns;
    private final String file;
    private final boolean whole;
    private final Csv.Reopen reopen;
    private int[] at;
    private List<String> header;

    CsvRows(Path file, String[] columns, Configuration conf, boolean whole) throws IOException {
      this.reopen = () -> stream(file, conf);
      this.reader = Csv.strictUtf8(reopen.open());
      this.parser = Csv.parser();
      this.columns = columns;
      this.file = file.toString();
      this.whole = whole;
      try {
        // The parser reads ahead: a small file's bad bytes already fail here.
        parser.beginParsing(reader);
      } catch (TextParsingException e) {
        reader.close();
        throw failed(e);
      }
    }

    @Override
    public Object header() {
      return header;
    }

    private GlueFormatException failed(TextParsingException e) throws IOException {
      Csv.Failure f = Csv.failure(e, reopen);
      return new GlueFormatException(file, f.line(), "not CSV: " + GlueRowParser.abbreviate(f.reason()));
    }

    @Override
    public Row next() throws IOException {
      String[] r;
      try {
        r = parser.parseNext();
      } catch (TextParsingException e) {
        throw failed(e);
      }
      if (r == null) return null;
      long line = parser.getContext().currentLine();
      if (at == null) {
        header = Arrays.stream(r).map(c -> c == null ? "" : c.strip()).toList();
        at = positions(file, header, columns, "CSV");
        return next();
      }
      if (r.length == 1 && (r[0] == null || r[0].isEmpty())) {
        return new Row(line, "line " + line, null, "empty line: expected a CSV row");
      }
      Row row = cellsAt(line, r, at, columns, "comma-separated");
      return whole ? row.withWhole(r) : row;
    }

    @Override
    public void close() throws IOException {
      parser.stopParsing();
      reader.close();
    }
  }

  /** One JSON object per line; text columns must be strings, the label and id any scalar. */
  private static final class JsonlRows implements Rows {
    private final Utf8LineReader lines;
    private final String[] columns;
    private final ObjectMapper json;

    JsonlRows(Path file, String[] columns, Configuration conf, boolean whole) throws IOException {
      this.lines = new Utf8LineReader(stream(file, conf));
      this.columns = columns;
      // Written back, a number keeps its digits (1.50 stays 1.50, not the double 1.5).
      this.json = whole ? WHOLE_JSON : JSON;
    }

    @Override
    public Row next() throws IOException {
      Utf8LineReader.Line l = lines.next();
      if (l == null) return null;
      long n = l.number();
      String where = "line " + n;
      if (!l.valid()) return new Row(n, where, null, l.encodingError());
      JsonNode o;
      try {
        o = json.readTree(l.text());
      } catch (JsonProcessingException e) {
        return new Row(n, where, null, "not valid JSON: " + e.getOriginalMessage());
      }
      if (o == null || !o.isObject()) {
        return new Row(n, where, null, "expected a JSON object, found "
            + (o == null ? "an empty line" : o.getNodeType().toString().toLowerCase(Locale.ROOT)));
      }
      String[] cells = new String[4];
      for (int k = 0; k < 4; k++) {
        if (columns[k] == null) continue;
        JsonNode v = o.get(columns[k]);
        if (v == null || v.isNull()) continue;
        if (k < 2 && !v.isTextual() || !v.isValueNode()) {
          return new Row(n, where, null, "key '" + columns[k] + "' must be a " + (k < 2 ? "string" : "string or a "
              + "number") + ", found " + v.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        cells[k] = v.asText();
      }
      return new Row(n, where, cells, null, json == WHOLE_JSON ? o : null);
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }

  /** A Parquet file's rows with their row groups (what a bad row is named by: Parquet has no lines). */
  private static final class ParquetRows implements Rows {
    private final ParquetReader<Group> reader;
    private final long[] groupEnds;
    private final String[] columns;
    private final String file;
    private final boolean whole;
    private final MessageType schema;
    private long row;

    ParquetRows(Path file, String[] columns, Configuration conf, boolean whole) throws IOException {
      this.columns = columns;
      this.file = file.toString();
      this.whole = whole;
      MessageType schema;
      List<BlockMetaData> blocks;
      try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
        schema = r.getFooter().getFileMetaData().getSchema();
        blocks = r.getFooter().getBlocks();
      } catch (IOException | RuntimeException e) {
        throw new GlueFormatException(this.file, "not a Parquet file (" + GlueRowParser.abbreviate(
            String.valueOf(e.getMessage())) + ")");
      }
      groupEnds = new long[blocks.size()];
      long end = 0;
      for (int i = 0; i < blocks.size(); i++) groupEnds[i] = end += blocks.get(i).getRowCount();
      List<String> names = schema.getFields().stream().map(Type::getName).toList();
      for (String c : columns) {
        if (c == null) continue;
        if (!names.contains(c)) {
          throw new GlueFormatException(this.file, "no column '" + c + "' in its schema " + names);
        }
        if (!schema.getType(c).isPrimitive()) {
          throw new GlueFormatException(this.file, "column '" + c + "' must be a string or a number, found "
              + schema.getType(c));
        }
      }
      this.schema = schema;
      reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build();
    }

    @Override
    public Object header() {
      return schema;
    }

    @Override
    public Row next() throws IOException {
      Group g = reader.read();
      if (g == null) return null;
      row++;
      int group = 0;
      while (group < groupEnds.length - 1 && row > groupEnds[group]) group++;
      String where = "row " + row + " (row group " + group + ")";
      GroupType t = g.getType();
      String[] cells = new String[4];
      for (int k = 0; k < 4; k++) {
        if (columns[k] == null) continue;
        int i = t.getFieldIndex(columns[k]);
        if (g.getFieldRepetitionCount(i) == 0) continue;
        cells[k] = switch (t.getType(i).asPrimitiveType().getPrimitiveTypeName()) {
          case INT32 -> Integer.toString(g.getInteger(i, 0));
          case INT64 -> Long.toString(g.getLong(i, 0));
          case FLOAT -> Float.toString(g.getFloat(i, 0));
          case DOUBLE -> Double.toString(g.getDouble(i, 0));
          case BOOLEAN -> Boolean.toString(g.getBoolean(i, 0));
          case BINARY, FIXED_LEN_BYTE_ARRAY -> {
            String s = utf8(g.getBinary(i, 0).getBytes());
            if (s == null) yield null;
            yield s;
          }
          case INT96 -> null;
        };
        if (cells[k] == null) return new Row(row, where, null, "column '" + columns[k] + "' is not text or a number");
      }
      return new Row(row, where, cells, null, whole ? g : null);
    }

    private static String utf8(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        return null;
      }
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
