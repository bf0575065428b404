package org.tinybert.augment;

/** A GloVe vectors file that cannot be read as one: names the file, the 1-based line and what was expected. */
public final class GloveFormatException extends IllegalArgumentException {
  private final String file;
  private final long line;

  public GloveFormatException(String file, long line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  public long line() {
    return line;
  }
}
