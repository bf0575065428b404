package org.tinybert.glue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one line of a GLUE file into a {@link GlueExample}: fields separated by tabs, no quote processing (GLUE's
 * TSVs are written with QUOTE_NONE; a {@code "} is part of the text). Serializable so Spark executors can parse the
 * lines of large files (MNLI's augmented training set) themselves; {@link GlueReader} uses it for whole files.
 */
public final class GlueRowParser implements Serializable {

  /** Why a row does not fit the layout; the caller adds file and line. */
  public static final class MalformedRowException extends Exception {
    public MalformedRowException(String reason) {
      super(reason, null, false, false);
    }
  }

  private final TaskDefinition task;
  private final Split split;
  private final ColumnLayout layout;

  public GlueRowParser(GlueTask task, Split split) {
    this(task, split, task.layout(split));
  }

  /**
   * A parser of another layout: a task file's TSV table, its columns found in its header
   * ({@link TaskData#tsvLayout}).
   */
  public GlueRowParser(TaskDefinition task, Split split, ColumnLayout layout) {
    this.task = task;
    this.split = split;
    this.layout = layout;
  }

  public ColumnLayout layout() {
    return layout;
  }

  /** Whether line 1 of the file is a header to skip. */
  public boolean hasHeader() {
    return layout.header();
  }

  /** The layout in words, for messages: {@code qqp train layout: id, qid1, ...}. */
  public String describeLayout() {
    return task + " " + split.name().toLowerCase(Locale.ROOT) + " layout" + (layout.header() ? "" : " (no header)")
        + ": " + String.join(", ", layout.columns());
  }

  /** A header must have at least as many columns as the rows it announces (catches a file of another task). */
  public void checkHeader(String line) throws MalformedRowException {
    int n = splitFields(line).size();
    if (n < layout.minColumns()) {
      throw new MalformedRowException("expected a header of at least " + layout.minColumns()
          + " tab-separated columns, found " + n + ": '" + abbreviate(line) + "'");
    }
  }

  /**
   * Parses a data row.
   *
   * @param lineNumber 1-based line in the file, kept in the example
   * @param ordinal 0-based number of the row among the file's data rows; the index of files without an index column
   */
  public GlueExample parse(String line, long lineNumber, long ordinal) throws MalformedRowException {
    List<String> f = splitFields(line);
    int n = f.size();
    if (n < layout.minColumns()) {
      throw new MalformedRowException("expected at least " + layout.minColumns() + " tab-separated columns, found "
          + n + (line.isEmpty() ? " (empty line)" : ""));
    }
    String label = null;
    if (layout.hasLabel()) {
      int c = layout.labelColumn(n);
      label = f.get(c);
      String where = "column " + (c + 1) + " (" + columnName(c, n) + ")";
      if (task.outputMode() == OutputMode.REGRESSION) {
        if (!isNumber(label)) {
          throw new MalformedRowException("expected a number (the similarity score) in " + where + ", found '"
              + abbreviate(label) + "'");
        }
      } else if (!task.labels().isEmpty() && !task.labels().contains(label)) {
        // (A task file whose labels come from this very table has none yet: any label is one.)
        throw new MalformedRowException("unknown label '" + abbreviate(label) + "' in " + where + ", expected one of "
            + task.labels());
      }
    }
    String index = layout.index() == ColumnLayout.NONE ? Long.toString(ordinal) : f.get(layout.index());
    String textB = layout.textB() == ColumnLayout.NONE ? null : f.get(layout.textB());
    return new GlueExample(split.guidPrefix() + "-" + index, index, f.get(layout.textA()), textB, label, lineNumber);
  }

  private String columnName(int c, int n) {
    List<String> cols = layout.columns();
    if (layout.label() == ColumnLayout.LAST && c == n - 1) return cols.get(cols.size() - 1);
    return c < cols.size() ? cols.get(c) : "unnamed";
  }

  /** Tab-separated fields, keeping empty ones (trailing too), as Python's csv reader does. */
  static List<String> splitFields(String line) {
    List<String> f = new ArrayList<>(16);
    int start = 0;
    for (int i = line.indexOf('\t'); i >= 0; i = line.indexOf('\t', start)) {
      f.add(line.substring(start, i));
      start = i + 1;
    }
    f.add(line.substring(start));
    return f;
  }

  /** Python's float() on the score: a finite decimal number, surrounding spaces allowed. */
  static boolean isNumber(String s) {
    String t = s.strip();
    if (t.isEmpty() || !t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) return false;
    return Double.isFinite(Double.parseDouble(t));
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
