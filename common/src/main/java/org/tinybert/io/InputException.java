package org.tinybert.io;

/**
 * A problem with what the user gave, not with the program: a missing or malformed file, too little data for the
 * settings, a model that does not fit the task or the sequence length. The message is complete on its own (it names
 * the file, key or value and what was expected), so the command line reports it as one line, without a stack trace;
 * any other exception is a bug and keeps its trace.
 */
public class InputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
