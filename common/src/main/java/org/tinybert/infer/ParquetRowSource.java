package org.tinybert.infer;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * The rows of a Parquet unit: its row groups, read with only the text, pair and id columns (Parquet's example
 * object model, which needs no schema classes). A null or missing value is a missing column; text bytes that are not
 * UTF-8 are a bad row as in the line formats (Parquet's own string reading would replace them silently).
 */
final class ParquetRowSource implements RowSource {
  private final InferUnit unit;
  private final Columns columns;
  private final ParquetReader<Group> reader;
  private long read;

  ParquetRowSource(InferUnit unit, Columns columns, Configuration conf) throws IOException {
    this.unit = unit;
    this.columns = columns;
    Configuration c = new Configuration(conf);
    c.set(ReadSupport.PARQUET_READ_SCHEMA, unit.projection());
    reader = ParquetReader.builder(new GroupReadSupport(), new Path(unit.file())).withConf(c)
        .withFileRange(unit.start(), unit.end()).build();
  }

  @Override
  public long lines() {
    return 0;
  }

  @Override
  public InputRow next() throws IOException {
    Group g = reader.read();
    if (g == null) {
      if (read != unit.rows()) {
        throw new IllegalStateException(unit.file() + ": read " + read + " rows of " + unit + ", expected "
            + unit.rows() + " from its row groups");
      }
      return null;
    }
    read++;
    long row = unit.firstRow() + read;
    GroupType t = g.getType();
    String[] names = {columns.text(), columns.pair(), columns.id()};
    String[] texts = new String[2];
    Object id = null;
    for (int k = 0; k < 3; k++) {
      if (names[k] == null) continue;
      int i = t.getFieldIndex(names[k]);
      if (g.getFieldRepetitionCount(i) == 0) {
        return InputRow.bad(row, BadRowKind.MISSING_COLUMN, "column '" + names[k] + "' is null");
      }
      if (k == 2) {
        id = value(g, i, t.getType(i).asPrimitiveType());
        continue;
      }
      String s = RowSource.utf8(g.getBinary(i, 0).getBytes());
      if (s == null) {
        return InputRow.bad(row, BadRowKind.INVALID_UTF8, "column '" + names[k] + "' is not valid UTF-8");
      }
      if (s.isBlank()) return InputRow.bad(row, BadRowKind.EMPTY_TEXT, "empty text in column '" + names[k] + "'");
      texts[k] = s;
    }
    return InputRow.good(row, id, texts[0], texts[1]);
  }

  /** A primitive value as Parquet's example model holds it. */
  static Object value(Group g, int field, PrimitiveType type) {
    return switch (type.getPrimitiveTypeName()) {
      case INT32 -> g.getInteger(field, 0);
      case INT64 -> g.getLong(field, 0);
      case FLOAT -> g.getFloat(field, 0);
      case DOUBLE -> g.getDouble(field, 0);
      case BOOLEAN -> g.getBoolean(field, 0);
      case INT96 -> g.getInt96(field, 0);
      case BINARY, FIXED_LEN_BYTE_ARRAY -> Binary.fromConstantByteArray(g.getBinary(field, 0).getBytes());
    };
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
