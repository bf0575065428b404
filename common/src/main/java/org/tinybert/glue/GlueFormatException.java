package org.tinybert.glue;

/** A file that does not have the layout it should: names the file, the 1-based line and what was expected. */
public class GlueFormatException extends IllegalArgumentException {
  private final String file;
  private final long line;

  public GlueFormatException(String file, long line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  /** A problem with the file as a whole (e.g. too few rows), not with one line. */
  public GlueFormatException(String file, String message) {
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
