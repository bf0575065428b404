package org.tinybert.infer;

import java.util.Locale;

/** Why a row of the input cannot be scored; counted per kind when bad rows are skipped. */
public enum BadRowKind {
  /** The text (or the pair's second text) is empty or only white space. */
  EMPTY_TEXT,
  /** A column the settings name is not in the row (too few TSV fields, a JSON key absent, a null value). */
  MISSING_COLUMN,
  /** The row's bytes are not UTF-8. */
  INVALID_UTF8,
  /** The row is not what the format says: not a JSON object, a text that is not a string. */
  MALFORMED;

  /** The name the manifest counts it under ({@code empty_text}, ...). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
