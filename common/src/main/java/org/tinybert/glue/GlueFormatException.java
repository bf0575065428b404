package org.tinybert.glue;

import org.tinybert.io.InputFileException;

/** A GLUE file that does not have the layout it should: names the file, the 1-based line and what was expected. */
public class GlueFormatException extends InputFileException {
  public GlueFormatException(String file, long line, String message) {
    super(file, line, message);
  }

  /** A problem with the file as a whole (e.g. too few rows), not with one line. */
  public GlueFormatException(String file, String message) {
    super(file, message);
  }
}
