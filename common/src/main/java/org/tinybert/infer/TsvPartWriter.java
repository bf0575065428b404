package org.tinybert.infer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;

/**
 * Tab-separated values with a header row naming the columns. Lists are JSON arrays. A text may hold what TSV cannot
 * (texts from JSON lines or Parquet): backslash, tab, newline and CR are written as {@code \\}, {@code \t},
 * {@code \n} and {@code \r}, Hive's text-table escapes.
 */
final class TsvPartWriter implements PartWriter {
  private final OutputSchema schema;
  private final Writer out;

  TsvPartWriter(OutputSchema schema, Path file, Configuration conf) throws IOException {
    this.schema = schema;
    out = new BufferedWriter(new OutputStreamWriter(HadoopIO.fs(file, conf).create(file, false),
        StandardCharsets.UTF_8), 1 << 16);
    out.write(String.join("\t", schema.columnNames()));
    out.write('\n');
  }

  @Override
  public void write(InputRow row, float[] output) throws IOException {
    Columns c = schema.columns();
    StringBuilder b = new StringBuilder();
    if (c.id() != null) b.append(escape(String.valueOf(PartWriter.plainId(row.id())))).append('\t');
    b.append(escape(row.text()));
    if (c.pair() != null) b.append('\t').append(escape(row.pair()));
    switch (schema.written()) {
      case LABEL -> b.append('\t').append(escape(schema.label(output)));
      case LABEL_AND_PROBABILITIES -> array(b.append('\t').append(escape(schema.label(output))).append('\t'),
          OutputSchema.probabilities(output));
      case SCORE -> b.append('\t').append(output[0]);
      case EMBEDDING -> array(b.append('\t'), output);
    }
    out.write(b.append('\n').toString());
  }

  private static void array(StringBuilder b, float[] v) {
    b.append('[');
    for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
    b.append(']');
  }

  static String escape(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
