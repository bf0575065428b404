package org.tinybert.jobs.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** Where a command reads and prints: the process's own streams under Main, captured ones in tests. */
public record Io(InputStream in, PrintStream out, PrintStream err) {
  public static Io system() {
    return new Io(System.in, System.out, System.err);
  }
}
