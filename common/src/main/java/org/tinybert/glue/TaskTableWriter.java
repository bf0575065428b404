package org.tinybert.glue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.TableFormat;

/**
 * Writes a table read by {@link TaskTableReader#readWhole} back in its own format, each row with its texts replaced and
 * every other column as it was read: TSV and CSV cells under the first file's header (CSV quoted by univocity where a
 * cell needs it), JSON objects with their keys in order and their numbers' digits, Parquet records under the same
 * schema. The file is written under a temporary name and renamed ({@link HadoopIO#writeAtomically}), so a reader
 * never takes a half-written table for a whole one.
 */
public final class TaskTableWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TaskTableWriter() {}

  /**
   * One row to write.
   *
   * @param source the row of the table it is made from
   * @param texts its text (and text-pair) cell
   */
  public record Output(TaskTableReader.WholeRow source, String[] texts) {}

  /** Runs before the written file is renamed into place (a check that the job may still write). */
  public interface BeforeRename {
    void check() throws IOException;
  }

  /**
   * Writes {@code rows} to {@code target} in {@code table}'s format; returns the rows written (a header not counted).
   *
   * @throws GlueFormatException when a TSV text holds a tab or a line break, which TSV cannot carry
   */
  public static long write(TaskTableReader.WholeTable table, Iterator<Output> rows, Path target, Configuration conf,
      BeforeRename beforeRename) throws IOException {
    long[] n = {0};
    if (table.format() == TableFormat.PARQUET) {
      HadoopIO.writeFileAtomically(target, conf, tmp -> {
        n[0] = writeParquet(table, rows, tmp, conf, target);
        beforeRename.check();
      });
      return n[0];
    }
    HadoopIO.writeAtomically(target, conf, out -> {
      n[0] = switch (table.format()) {
        case TSV -> writeTsv(table, rows, out, target);
        case CSV -> writeCsv(table, rows, out);
        case JSONL -> writeJsonl(table, rows, out);
        case PARQUET, AUTO, TEXT -> throw new IllegalStateException("a table read whole has one format");
      };
      beforeRename.check();
    });
    return n[0];
  }

  private static int[] positions(TaskTableReader.WholeTable table) {
    return table.textColumns().stream().mapToInt(c -> table.header().indexOf(c)).toArray();
  }

  private static String[] cells(Output o, int[] at) {
    String[] source = (String[]) o.source().row();
    String[] cells = Arrays.copyOf(source, source.length);
    for (int k = 0; k < at.length; k++) cells[at[k]] = o.texts()[k];
    return cells;
  }

  private static long writeTsv(TaskTableReader.WholeTable table, Iterator<Output> rows, OutputStream out, Path target)
      throws IOException {
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    int[] at = positions(table);
    w.write(String.join("\t", table.header()));
    w.write('\n');
    long n = 0;
    while (rows.hasNext()) {
      Output o = rows.next();
      for (String t : o.texts()) {
        if (t.indexOf('\t') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
          throw new GlueFormatException(target.toString(), n + 2, "a text with a tab or a line break, which TSV "
              + "cannot hold (from row " + o.source().number() + " of the table)");
        }
      }
      w.write(String.join("\t", cells(o, at)));
      w.write('\n');
      n++;
    }
    w.flush();
    return n;
  }

  private static long writeCsv(TaskTableReader.WholeTable table, Iterator<Output> rows, OutputStream out)
      throws IOException {
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    CsvWriterSettings s = new CsvWriterSettings();
    s.getFormat().setLineSeparator("\n");
    // The reader reads a missing cell and an empty one both as "": written back, both are empty.
    s.setNullValue("");
    s.setEmptyValue("");
    CsvWriter csv = new CsvWriter(w, s);
    int[] at = positions(table);
    csv.writeRow(table.header().toArray(new String[0]));
    long n = 0;
    while (rows.hasNext()) {
      csv.writeRow(cells(rows.next(), at));
      n++;
    }
    csv.flush();
    w.flush();
    return n;
  }

  private static long writeJsonl(TaskTableReader.WholeTable table, Iterator<Output> rows, OutputStream out)
      throws IOException {
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    List<String> keys = table.textColumns();
    long n = 0;
    while (rows.hasNext()) {
      Output o = rows.next();
      ObjectNode row = ((ObjectNode) o.source().row()).deepCopy();
      for (int k = 0; k < keys.size(); k++) row.put(keys.get(k), o.texts()[k]);
      w.write(JSON.writeValueAsString(row));
      w.write('\n');
      n++;
    }
    w.flush();
    return n;
  }

  private static long writeParquet(TaskTableReader.WholeTable table, Iterator<Output> rows, Path file,
      Configuration conf, Path target) throws IOException {
    MessageType schema = table.schema();
    int[] at = new int[table.textColumns().size()];
    for (int k = 0; k < at.length; k++) {
      String c = table.textColumns().get(k);
      at[k] = schema.getFieldIndex(c);
      PrimitiveType t = schema.getType(at[k]).asPrimitiveType();
      if (t.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY) {
        throw new GlueFormatException(target.toString(), "the text column '" + c + "' must be a string to hold "
            + "a new text, found " + t);
      }
    }
    long n = 0;
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf)).withType(schema)
        .withConf(conf).build()) {
      while (rows.hasNext()) {
        Output o = rows.next();
        Group source = (Group) o.source().row();
        Group g = new SimpleGroup(schema);
        for (int i = 0; i < schema.getFieldCount(); i++) {
          int k = indexOf(at, i);
          if (k >= 0) {
            g.add(i, Binary.fromString(o.texts()[k]));
          } else {
            copy(source, g, i, schema.getType(i));
          }
        }
        w.write(g);
        n++;
      }
    }
    return n;
  }

  private static int indexOf(int[] a, int v) {
    for (int k = 0; k < a.length; k++) if (a[k] == v) return k;
    return -1;
  }

  /** Field {@code i}'s values (none, one, or a repeated field's every one) as they were. */
  private static void copy(Group from, Group to, int i, Type type) {
    int count = from.getFieldRepetitionCount(i);
    for (int j = 0; j < count; j++) {
      if (!type.isPrimitive()) {
        to.add(i, from.getGroup(i, j));
        continue;
      }
      switch (type.asPrimitiveType().getPrimitiveTypeName()) {
        case INT32 -> to.add(i, from.getInteger(i, j));
        case INT64 -> to.add(i, from.getLong(i, j));
        case FLOAT -> to.add(i, from.getFloat(i, j));
        case DOUBLE -> to.add(i, from.getDouble(i, j));
        case BOOLEAN -> to.add(i, from.getBoolean(i, j));
        case BINARY, FIXED_LEN_BYTE_ARRAY -> to.add(i, from.getBinary(i, j));
        case INT96 -> to.add(i, from.getInt96(i, j));
      }
    }
  }
}
