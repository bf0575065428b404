package org.tinybert.infer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.tinybert.config.InferSettings;
import org.tinybert.io.TableFormat;
import org.tinybert.config.SettingsException;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputFileException;
import org.tinybert.io.InputFiles;
import org.tinybert.io.Utf8LineReader;

/**
 * The driver's plan of a run: each input file's format, the columns read, and the units of work. Everything that can
 * be told from the files before scoring is checked here (a TSV header without the column, a Parquet file without it or
 * with another id type), so such mistakes fail at once, naming the file, rather than in a task.
 */
final class InferPlan {
  /** The keys naming the text, pair and id columns, in that order. */
  private static final String[] COLUMN_KEYS = {"text-column", "text-pair-column", "id-column"};

  private InferPlan() {}

  /**
   * @param format the input's format (every file has it)
   * @param units every unit, numbered in file order
   * @param columns the columns read, by their output names
   */
  record Planned(TableFormat format, List<InferUnit> units, Columns columns) {}

  static Planned plan(InferSettings s, List<InputFiles.Listed> files, Configuration conf) throws IOException {
    TableFormat format = format(s, files);
    if (format == TableFormat.TEXT) {
      for (String key : List.of("text-pair-column", "id-column")) {
        String v = key.equals("id-column") ? s.idColumn() : s.textPairColumn();
        if (!v.isEmpty()) {
          String full = InferSettings.SECTION.key(key).full();
          throw SettingsException.of(full, full + " must be \"\" for text input (one text per line), found '" + v
              + "'; " + files.get(0).path() + " is read as text (set " + InferSettings.SECTION.key("format").full()
              + " for another format)");
        }
      }
    }
    List<InferUnit> units = new ArrayList<>();
    Columns columns = null;
    for (InputFiles.Listed f : files) {
      Columns c = switch (format) {
        case TEXT -> {
          lineUnits(units, f, format, false, null, s.splitSize(), conf);
          yield new Columns("text", null, null, null);
        }
        case JSONL -> {
          lineUnits(units, f, format, false, null, s.splitSize(), conf);
          yield new Columns(s.textColumn(), nullIfEmpty(s.textPairColumn()), nullIfEmpty(s.idColumn()), null);
        }
        case TSV -> tsv(units, f, s, conf);
        case CSV -> csv(units, f, s, conf);
        case PARQUET -> parquet(units, f, s, conf);
        default -> throw new IllegalStateException("unplanned format " + format);
      };
      if (c == null) continue;
      if (columns == null) {
        columns = c;
      } else if (!columns.equals(c)) {
        throw new InputFileException(f.path(), "its columns " + c + " differ from those of the files before it, "
            + columns + ": every file of the input must have the same columns (and id type)");
      }
    }
    if (columns == null) columns = new Columns(format == TableFormat.TEXT ? "text" : s.textColumn(),
        nullIfEmpty(s.textPairColumn()), nullIfEmpty(s.idColumn()), null);
    return new Planned(format, List.copyOf(units), columns);
  }

  private static String nullIfEmpty(String s) {
    return s.isEmpty() ? null : s;
  }

  /** The format of every file: the setting, or each file's name (all must agree). */
  static TableFormat format(InferSettings s, List<InputFiles.Listed> files) {
    if (s.format() != TableFormat.AUTO) return s.format();
    TableFormat first = null;
    String firstPath = null;
    for (InputFiles.Listed f : files) {
      TableFormat ff = TableFormat.ofName(new Path(f.path()).getName(), InferSettings.FORMATS, TableFormat.TEXT);
      if (first == null) {
        first = ff;
        firstPath = f.path();
      } else if (ff != first) {
        throw new InputFileException(f.path(), "read as " + ff.key() + " by its name, but " + firstPath
            + " as " + first.key() + ": set " + InferSettings.SECTION.key("format").full()
            + ", or give files of one format");
      }
    }
    return first;
  }

  /** Units of {@code splitSize} bytes over a text file; a compressed one is a single unit. */
  private static void lineUnits(List<InferUnit> units, InputFiles.Listed f, TableFormat format, boolean header,
      int[] fields, long splitSize, Configuration conf) {
    boolean compressed = codec(f, conf) != null;
    if (f.size() == 0) return;
    if (compressed) {
      units.add(new InferUnit(units.size(), f.path(), format, 0, f.size(), true, header, fields, null, 0, 0));
      return;
    }
    for (long start = 0; start < f.size(); start += splitSize) {
      units.add(new InferUnit(units.size(), f.path(), format, start, Math.min(f.size(), start + splitSize), false,
          header && start == 0, fields, null, 0, 0));
    }
  }

  private static CompressionCodec codec(InputFiles.Listed f, Configuration conf) {
    return new CompressionCodecFactory(conf).getCodec(new Path(f.path()));
  }

  /** A TSV file's units, its header (if it has one) resolving the columns to fields. */
  private static Columns tsv(List<InferUnit> units, InputFiles.Listed f, InferSettings s, Configuration conf)
      throws IOException {
    if (f.size() == 0) return null;
    if (s.tsvHeader()) {
      int[] fields = new int[3];
      Columns c = byHeader(f, Arrays.asList(header(f, conf)), s, "the header", ", or set "
          + InferSettings.SECTION.key("tsv-header").full() + " = false to give 0-based column indices", fields);
      lineUnits(units, f, TableFormat.TSV, true, fields, s.splitSize(), conf);
      return c;
    }
    String[] specs = specs(s);
    String[] unnamed = {"text", "text_pair", "id"};
    int[] fields = {-1, -1, -1};
    String[] names = new String[3];
    for (int k = 0; k < 3; k++) {
      if (specs[k].isEmpty()) continue;
      fields[k] = index(specs[k]);
      if (fields[k] < 0) {
        String key = InferSettings.SECTION.key(COLUMN_KEYS[k]).full();
        throw SettingsException.of(key, key + " must be a 0-based column index when "
            + InferSettings.SECTION.key("tsv-header").full() + " is false, found '" + specs[k] + "'");
      }
      names[k] = unnamed[k];
    }
    lineUnits(units, f, TableFormat.TSV, false, fields, s.splitSize(), conf);
    return new Columns(names[0], names[1], names[2], null);
  }

  private static String[] specs(InferSettings s) {
    return new String[] {s.textColumn(), s.textPairColumn(), s.idColumn()};
  }

  /**
   * The text, pair and id columns resolved against a file's header into {@code fields} (0-based, -1 for none): by
   * name, or by a 0-based index when no header cell has that name. A column neither names is refused, naming the
   * file's first line.
   *
   * @param where the header as the message names it
   * @param hint what the message suggests besides a column the header names
   */
  private static Columns byHeader(InputFiles.Listed f, List<String> header, InferSettings s, String where,
      String hint, int[] fields) {
    String[] specs = specs(s);
    String[] names = new String[3];
    for (int k = 0; k < 3; k++) {
      fields[k] = -1;
      if (specs[k].isEmpty()) continue;
      fields[k] = header.indexOf(specs[k]);
      if (fields[k] < 0 && index(specs[k]) >= 0 && index(specs[k]) < header.size()) fields[k] = index(specs[k]);
      if (fields[k] < 0) {
        throw new InputFileException(f.path(), 1, "no column '" + specs[k] + "' ("
            + InferSettings.SECTION.key(COLUMN_KEYS[k]).full() + ") in " + where + ", which names " + header
            + "; give a column it names" + hint);
      }
      names[k] = header.get(fields[k]);
    }
    return new Columns(names[0], names[1], names[2], null);
  }

  /**
   * A CSV file's one unit (a quoted field may hold a line break, so its bytes cannot be split), its header resolving
   * the columns to fields: by name, or by a 0-based index when no header cell has that name.
   */
  private static Columns csv(List<InferUnit> units, InputFiles.Listed f, InferSettings s, Configuration conf)
      throws IOException {
    if (f.size() == 0) return null;
    if (!s.tsvHeader()) {
      String key = InferSettings.SECTION.key("tsv-header").full();
      throw SettingsException.of(key, key + " = false is for TSV; " + f.path() + " is CSV, whose first line is"
          + " always its header (columns are named by it or by 0-based index)");
    }
    CompressionCodec codec = codec(f, conf);
    int[] fields = new int[3];
    Columns c = byHeader(f, CsvRowSource.header(new Path(f.path()), codec, conf), s, "the CSV header",
        " or its 0-based index", fields);
    units.add(new InferUnit(units.size(), f.path(), TableFormat.CSV, 0, f.size(), codec != null, true, fields, null,
        0, 0));
    return c;
  }

  private static int index(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The fields of a TSV file's first line. */
  private static String[] header(InputFiles.Listed f, Configuration conf) throws IOException {
    Path p = new Path(f.path());
    CompressionCodec codec = codec(f, conf);
    InputStream raw = HadoopIO.open(p, conf);
    try (Utf8LineReader r = new Utf8LineReader(codec == null ? raw : codec.createInputStream(raw))) {
      Utf8LineReader.Line line = r.next();
      if (line == null) return new String[0];
      if (!line.valid()) throw new InputFileException(f.path(), 1, "the header " + line.encodingError());
      return line.text().split("\t", -1);
    }
  }

  /** A Parquet file's units (runs of whole row groups) after checking its columns. */
  private static Columns parquet(List<InferUnit> units, InputFiles.Listed f, InferSettings s, Configuration conf)
      throws IOException {
    Path p = new Path(f.path());
    MessageType schema;
    List<BlockMetaData> blocks;
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
      schema = r.getFooter().getFileMetaData().getSchema();
      blocks = r.getFooter().getBlocks();
    } catch (RuntimeException | IOException e) {
      throw new InputFileException(f.path(), "cannot read it as Parquet: " + e.getMessage());
    }
    String[] names = specs(s);
    List<Type> read = new ArrayList<>();
    String idType = null;
    for (int k = 0; k < 3; k++) {
      if (names[k].isEmpty()) continue;
      if (!schema.containsField(names[k])) {
        throw new InputFileException(f.path(), "no column '" + names[k] + "' ("
            + InferSettings.SECTION.key(COLUMN_KEYS[k]).full() + "); its columns are "
            + schema.getFields().stream().map(Type::getName).toList());
      }
      Type t = schema.getType(names[k]);
      boolean primitive = t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED);
      if (!primitive || (k < 2 && t.asPrimitiveType().getPrimitiveTypeName() != PrimitiveTypeName.BINARY)) {
        throw new InputFileException(f.path(), "column '" + names[k] + "' is " + t + "; expected "
            + (k < 2 ? "a string (binary) column" : "a column of single values (string, number or boolean)"));
      }
      read.add(t);
      if (k == 2) idType = t.toString();
    }
    String projection = new MessageType("projection", read).toString();
    long firstRow = 0;
    for (int i = 0; i < blocks.size(); ) {
      int from = i;
      long bytes = 0;
      long rows = 0;
      while (i < blocks.size() && (i == from || bytes < s.splitSize())) {
        bytes += blocks.get(i).getCompressedSize();
        rows += blocks.get(i).getRowCount();
        i++;
      }
      // Parquet's readers take a row group into a byte range when its midpoint is inside: from this unit's first
      // row group to the next unit's first, every row group of this unit and no other.
      long start = blocks.get(from).getStartingPos();
      long end = i < blocks.size() ? blocks.get(i).getStartingPos() : f.size();
      units.add(new InferUnit(units.size(), f.path(), TableFormat.PARQUET, start, end, false, false, null, projection,
          firstRow, rows));
      firstRow += rows;
    }
    return new Columns(names[0], nullIfEmpty(names[1]), nullIfEmpty(names[2]), idType);
  }

  /** Whether {@code inner} is {@code outer} or below it. */
  static boolean within(Path inner, Path outer, Configuration conf) {
    FileSystem fs = HadoopIO.fs(outer, conf);
    String o = fs.makeQualified(outer).toString();
    String i = HadoopIO.fs(inner, conf).makeQualified(inner).toString();
    return i.equals(o) || i.startsWith(o.endsWith("/") ? o : o + "/");
  }
}
