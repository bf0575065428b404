package org.tinybert.glue;

import java.io.Serializable;
import java.util.List;

/**
 * Where the fields of one GLUE split live, as 0-based columns of a tab-separated row.
 *
 * @param columns the published header of the split (for CoLA's headerless files, the names its README gives), used in
 *     error messages
 * @param header whether the first line is a header to skip
 * @param textA column of the first sentence
 * @param textB column of the second sentence, or {@link #NONE} for single-sentence tasks
 * @param label column of the gold label, {@link #LAST} for "the last column" (MNLI, QNLI, RTE, WNLI, STS-B, whose
 *     processors read {@code line[-1]}), or {@link #NONE} for unlabelled test files
 * @param index column of the example id the GLUE server matches predictions by, or {@link #NONE} when the file has
 *     none (then the 0-based row number among the data rows stands in)
 */
public record ColumnLayout(List<String> columns, boolean header, int textA, int textB, int label, int index)
    implements Serializable {

  /** No such column in this split. */
  public static final int NONE = -1;
  /** The label is the last column of the row, however many columns the row has. */
  public static final int LAST = -2;

  public ColumnLayout {
    columns = List.copyOf(columns);
    if (textA < 0) throw new IllegalArgumentException("textA must be a column index, found " + textA);
    if (textB < NONE || label < LAST || index < NONE) {
      throw new IllegalArgumentException("bad column layout " + columns + ": textB=" + textB + " label=" + label
          + " index=" + index);
    }
  }

  /** Whether rows carry a gold label. */
  public boolean hasLabel() {
    return label != NONE;
  }

  /**
   * The fewest columns a row must have. With the label in the last column, the label must come after every other
   * column read, else a short row would hand a sentence over as its label.
   */
  public int minColumns() {
    int max = Math.max(Math.max(textA, textB), Math.max(index, label));
    return label == LAST ? max + 2 : max + 1;
  }

  /** Resolves {@link #label} against a row of {@code n} columns. */
  int labelColumn(int n) {
    return label == LAST ? n - 1 : label;
  }
}
