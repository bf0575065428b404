package org.tinybert.config;

import java.util.Locale;

/** The file format of {@code infer}'s output parts. */
public enum OutputFormat {
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

  public String settingName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The part files' extension, without the dot. */
  public String extension() {
    return extension;
  }

  public static OutputFormat byName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
