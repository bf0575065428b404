package org.tinybert.augment;

import org.tinybert.io.InputFileException;

/** A GloVe vectors file that cannot be read as one: names the file, the 1-based line and what was expected. */
public final class GloveFormatException extends InputFileException {
  public GloveFormatException(String file, long line, String message) {
    super(file, line, message);
  }
}
