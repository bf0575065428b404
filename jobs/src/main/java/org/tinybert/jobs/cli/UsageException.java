package org.tinybert.jobs.cli;

/** A command line that cannot be parsed: unknown option, missing value, stray argument. */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
