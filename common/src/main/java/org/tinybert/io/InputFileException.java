package org.tinybert.io;

/**
 * A file a user gave that cannot be read as what it should be: the message names the file, the 1-based line when the
 * problem is on one, and what was expected. Each format has its own subclass so callers can tell them apart.
 */
public class InputFileException extends InputException {
  private final String file;
  private final long line;

  public InputFileException(String file, long line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  /** A problem with the file (or directory) as a whole, not with one line. */
  public InputFileException(String file, String message) {
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
