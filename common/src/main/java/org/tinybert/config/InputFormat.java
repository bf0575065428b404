package org.tinybert.config;

import java.util.Locale;
import org.tinybert.settings.Choice;

/** How {@code infer} reads its input files. */
public enum InputFormat implements Choice {
  /** Each file's name decides: {@code .tsv}, {@code .jsonl}/{@code .json}, {@code .parquet}, else text. */
  AUTO,
  /** UTF-8 text, one example per line (the whole line is the text). */
  TEXT,
  /** UTF-8 tab-separated values as GLUE distributes them (no quoting), with a header line or columns by index. */
  TSV,
  /** JSON lines: one JSON object per line, columns are its keys. */
  JSONL,
  /** Apache Parquet, columns at the top level of the schema. */
  PARQUET;

  /** Whether rows are lines of text (and bad rows are named by line). */
  public boolean lines() {
    return this != PARQUET;
  }

  /**
   * The format a file name implies, a compression extension ({@code .gz}, {@code .bz2}, ...) looked through:
   * {@code part-00000-x.snappy.parquet} is Parquet, {@code train.tsv.gz} is TSV, {@code part-00000} is text.
   */
  public static InputFormat ofName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (String codec : new String[] {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"}) {
      if (n.endsWith(codec) && !n.endsWith(".parquet" + codec)) n = n.substring(0, n.length() - codec.length());
    }
    if (n.endsWith(".parquet")) return PARQUET;
    if (n.endsWith(".tsv")) return TSV;
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
    return TEXT;
  }
}
