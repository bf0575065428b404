package org.tinybert.glue;

import java.util.Locale;

/** How a task file's tables are read (its {@code format} key). */
public enum TaskFormat {
  /** Each file's name decides: {@code .tsv}, {@code .csv}, {@code .jsonl} (or .json, .ndjson), {@code .parquet}. */
  AUTO,
  /** UTF-8 tab-separated values with a header line naming the columns; no quoting (as GLUE's files). */
  TSV,
  /** UTF-8 comma-separated values with a header line, RFC 4180 quoting. */
  CSV,
  /** JSON lines: one JSON object per line, columns are its keys. */
  JSONL,
  /** Apache Parquet, columns at the top level of the schema. */
  PARQUET;

  /** How a task file spells it ({@code tsv}, ...). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether rows are lines of text (bad rows are named by line; Parquet's by row and row group). */
  public boolean lines() {
    return this != PARQUET;
  }

  /**
   * The format a file name implies, a compression extension looked through ({@code train.csv.gz} is CSV,
   * {@code part-00000-x.snappy.parquet} Parquet); null when the name tells nothing.
   */
  public static TaskFormat ofName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (String codec : new String[] {".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy"}) {
      if (n.endsWith(codec) && !n.endsWith(".parquet" + codec)) n = n.substring(0, n.length() - codec.length());
    }
    if (n.endsWith(".parquet")) return PARQUET;
    if (n.endsWith(".tsv")) return TSV;
    if (n.endsWith(".csv")) return CSV;
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
    return null;
  }
}
