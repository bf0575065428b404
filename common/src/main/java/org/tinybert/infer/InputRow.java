package org.tinybert.infer;

/**
 * One row of the input as read: the texts and the id, or why it cannot be scored.
 *
 * @param position line formats: the row's line, counted from the first line of its unit (1-based); Parquet: the row
 *     of the file (1-based)
 * @param id the id column's value (String, or a Parquet value: Integer, Long, Float, Double, Boolean, Binary), or
 *     null without an id column
 * @param text the text, null for a bad row
 * @param pair the pair's second text, null for single texts
 * @param bad why the row cannot be scored, null for a good row
 * @param reason what is wrong, naming the column and what was expected (bad rows)
 */
public record InputRow(long position, Object id, String text, String pair, BadRowKind bad, String reason) {

  static InputRow good(long position, Object id, String text, String pair) {
    return new InputRow(position, id, text, pair, null, null);
  }

  static InputRow bad(long position, BadRowKind kind, String reason) {
    return new InputRow(position, null, null, null, kind, reason);
  }

  /**
   * The row of a delimited line's fields (TSV, CSV): text, pair and id taken at the unit's 0-based {@code at}
   * positions (-1 for none), a row too short for them or with an empty text being bad.
   *
   * @param separated what separates the fields, for the reason ("tab-separated")
   */
  static InputRow ofFields(long position, String[] fields, int[] at, Columns columns, String separated) {
    String[] names = {columns.text(), columns.pair(), columns.id()};
    String[] values = new String[3];
    for (int k = 0; k < 3; k++) {
      if (at[k] < 0) continue;
      if (at[k] >= fields.length) {
        return bad(position, BadRowKind.MISSING_COLUMN, "no column '" + names[k] + "' (field " + (at[k] + 1)
            + "): expected at least " + (at[k] + 1) + " " + separated + " fields, found " + fields.length);
      }
      values[k] = fields[at[k]];
    }
    return ofTexts(position, columns, values[0], values[1], values[2]);
  }

  /** The row of its texts and id, bad when a text is empty or blank. */
  static InputRow ofTexts(long position, Columns columns, String text, String pair, Object id) {
    if (text.isBlank()) {
      return bad(position, BadRowKind.EMPTY_TEXT, "empty text in column '" + columns.text() + "'");
    }
    if (pair != null && pair.isBlank()) {
      return bad(position, BadRowKind.EMPTY_TEXT, "empty text in column '" + columns.pair() + "'");
    }
    return good(position, id, text, pair);
  }

  public boolean isBad() {
    return bad != null;
  }
}
