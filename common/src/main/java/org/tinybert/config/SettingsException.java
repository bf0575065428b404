package org.tinybert.config;

import java.util.List;
import java.util.stream.Collectors;

/** Settings that cannot be used, with every problem found, not just the first. */
public final class SettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param key the full settings key (e.g. {@code tinybert.forward.max-seq-length}), or "" when none applies
   * @param message the whole sentence, key, rule, found value and origin included
   * @param missing true when the key is required and has no value, so a caller can say how to give one
   */
  public record Problem(String key, String message, boolean missing) {
    @Override
    public String toString() {
      return message;
    }
  }

  private final List<Problem> problems;

  public SettingsException(List<Problem> problems) {
    super(render(problems));
    if (problems.isEmpty()) throw new IllegalArgumentException("a SettingsException needs at least one problem");
    this.problems = List.copyOf(problems);
  }

  public static SettingsException of(String key, String message) {
    return new SettingsException(List.of(new Problem(key, message, false)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    if (problems.size() == 1) return "invalid settings: " + problems.get(0).message();
    return "invalid settings (" + problems.size() + " problems):\n"
        + problems.stream().map(p -> "  - " + p.message()).collect(Collectors.joining("\n"));
  }
}
