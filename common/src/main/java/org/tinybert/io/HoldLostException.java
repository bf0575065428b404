package org.tinybert.io;

import org.apache.hadoop.fs.Path;

/**
 * A run's hold on its output is no longer its own ({@link OutputHold#check}): another run took it over, so this one
 * stops before its next commit instead of writing beside it.
 */
public final class HoldLostException extends InputException {
  private static final long serialVersionUID = 1L;

  public HoldLostException(String output, Path file, String why) {
    super(output + ": this run no longer holds its output (" + file + "): " + why + "; it stops without writing more");
  }
}
