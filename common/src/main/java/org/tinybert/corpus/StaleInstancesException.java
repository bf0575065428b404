package org.tinybert.corpus;

import java.util.List;
import org.tinybert.io.InputException;

/** Stored instances were built from other inputs or settings than the current ones; {@link #changes()} says which. */
public class StaleInstancesException extends InputException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 10;

  private final List<String> changes;

  public StaleInstancesException(String dir, List<String> changes) {
    super("instances at " + dir + " were built from other inputs: " + summary(changes)
        + "; request a rebuild to replace them, or use another directory");
    this.changes = List.copyOf(changes);
  }

  private static String summary(List<String> changes) {
    if (changes.size() <= SHOWN) return String.join("; ", changes);
    return String.join("; ", changes.subList(0, SHOWN)) + "; and " + (changes.size() - SHOWN) + " more";
  }

  /** One line per difference, e.g. {@code max_seq_length 128 -> 64}. */
  public List<String> changes() {
    return changes;
  }
}
