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

  public boolean isBad() {
    return bad != null;
  }
}
