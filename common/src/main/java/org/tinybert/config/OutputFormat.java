package org.tinybert.config;

import org.tinybert.settings.Choice;

/** The file format of {@code infer}'s output parts. */
public enum OutputFormat implements Choice {
  /** Apache Parquet (Snappy), lists as Parquet LISTs of floats. */
  PARQUET("parquet"),
  /** JSON lines, one object per example. */
  JSONL("jsonl"),
  /** Tab-separated values with a header row; lists as JSON arrays; tab, newline, CR and backslash escaped in text. */
  TSV("tsv");

  private final String extension;

  OutputFormat(String extension) {
    this.extension = extension;
  }

  /** The part files' extension, without the dot. */
  public String extension() {
    return extension;
  }
}
