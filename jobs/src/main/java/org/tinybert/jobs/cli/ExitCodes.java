package org.tinybert.jobs.cli;

/** What {@code tinybert} exits with. */
public final class ExitCodes {
  public static final int OK = 0;
  /** The command ran and failed. */
  public static final int FAILURE = 1;
  /** Bad command line or unusable settings: nothing was run. */
  public static final int USAGE = 2;
  /** The command exists but this build cannot run it. */
  public static final int UNAVAILABLE = 3;

  private ExitCodes() {}
}
