package org.tinybert.corpus;

import org.tinybert.io.InputException;

/** The corpus cannot be used: a path is missing or unreadable, it holds no sentence, or a line is not UTF-8. */
public class CorpusException extends InputException {
  private static final long serialVersionUID = 1L;

  public CorpusException(String message) {
    super(message);
  }

  public CorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
