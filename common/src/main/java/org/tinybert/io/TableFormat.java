package org.tinybert.io;

import java.util.List;
import java.util.Locale;
import org.tinybert.settings.Choice;

/**
 * How a table's files are read: infer's {@code format} and a task file's {@code format}. Each reader accepts only the
 * formats it can read ({@code InferSettings.FORMATS}, {@code TaskFile.FORMATS}): infer reads plain text, task files
 * do not.
 */
public enum TableFormat implements Choice {
  /** Each file's name decides ({@link #ofName}). */
  AUTO,
  /** UTF-8 text, one example per line (the whole line is the text). */
  TEXT,
  /** UTF-8 tab-separated values as GLUE distributes them (no quoting), with a header line or columns by index. */
  TSV,
  /**
   * UTF-8 comma-separated values with a header line, RFC 4180 quoting ({@link Csv}): a quoted field may hold a line
   * break, so a file is never split by bytes.
   */
  CSV,
  /** JSON lines: one JSON object per line, columns are its keys. */
  JSONL,
  /** Apache Parquet, columns at the top level of the schema. */
  PARQUET;

  /** Whether rows are lines of text (bad rows are named by line; Parquet's by row and row group). */
  public boolean lines() {
    return this != PARQUET;
  }

  /**
   * The format a file name implies among {@code readable}, a compression extension ({@code .gz}, {@code .bz2}, ...)
   * looked through: {@code part-00000-x.snappy.parquet} is Parquet, {@code train.csv.gz} CSV. {@code otherwise} when
   * the name implies none of them ({@code part-00000}; for a reader without a format, a name implying it).
   */
  public static TableFormat ofName(String fileName, List<TableFormat> readable, TableFormat otherwise) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (String codec : new String[] {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"}) {
      if (n.endsWith(codec) && !n.endsWith(".parquet" + codec)) n = n.substring(0, n.length() - codec.length());
    }
    TableFormat implied = null;
    if (n.endsWith(".parquet")) {
      implied = PARQUET;
    } else if (n.endsWith(".tsv")) {
      implied = TSV;
    } else if (n.endsWith(".csv")) {
      implied = CSV;
    } else if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      implied = JSONL;
    }
    return implied != null && readable.contains(implied) ? implied : otherwise;
  }
}
