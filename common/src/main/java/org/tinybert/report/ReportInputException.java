package org.tinybert.report;

import org.tinybert.io.InputFileException;

/**
 * A run's record that is missing, empty or malformed: names the file, the 1-based line when the problem is on one, and
 * what was expected.
 */
public class ReportInputException extends InputFileException {
  public ReportInputException(String file, long line, String message) {
    super(file, line, message);
  }

  /** A problem with the file (or directory) as a whole, not with one line. */
  public ReportInputException(String file, String message) {
    super(file, message);
  }
}
