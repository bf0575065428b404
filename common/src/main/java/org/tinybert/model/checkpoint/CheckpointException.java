package org.tinybert.model.checkpoint;

import org.tinybert.io.InputException;

/**
 * A checkpoint file or directory that cannot be read or does not fit its config. The message always names the file
 * (or directory) and the problem, with the expected and the found value where there are two.
 */
public class CheckpointException extends InputException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code "<file>: <problem>"}. */
  static CheckpointException of(Object file, String problem) {
    return new CheckpointException(file + ": " + problem);
  }

  static CheckpointException of(Object file, String problem, Throwable cause) {
    return new CheckpointException(file + ": " + problem, cause);
  }
}
