package org.tinybert.report;

/**
 * A run's record that is missing, empty or malformed: names the file, the 1-based line when the problem is on one, and
 * what was expected.
 */
public class ReportInputException extends IllegalArgumentException {
  private final String file;
  private final long line;

  public ReportInputException(String file, long line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  /** A problem with the file (or directory) as a whole, not with one line. */
  public ReportInputException(String file, String message) {
    super(file + ": " + message);
    this.file = file;
    this.line = 0;
  }

  public String file() {
    return file;
  }

  /** The 1-based line, or 0 when the problem is not on one line. */
  public long line() {
    return line;
  }
}
