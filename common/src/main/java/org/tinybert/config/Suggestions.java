package org.tinybert.config;

import java.util.Collection;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean ...?" for misspelt keys, options and commands. */
public final class Suggestions {
  private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

  private Suggestions() {}

  /**
   * The candidate closest to {@code typed} by edit distance, if it is close enough to be a plausible typo: one edit
   * for up to 3 characters, else a third of the length but at least 2 (a swap of two letters costs 2) and at most 3.
   * So "epochz" suggests "epochs" and "modle" "model", but "lr" does not suggest "seed".
   */
  public static Optional<String> closest(String typed, Collection<String> candidates) {
    int limit = typed.length() <= 3 ? 1 : Math.max(2, Math.min(3, typed.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = DISTANCE.apply(typed, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? Optional.ofNullable(best) : Optional.empty();
  }

  /** " (did you mean X?)" or "". */
  public static String didYouMean(String typed, Collection<String> candidates) {
    return closest(typed, candidates).map(s -> " (did you mean " + s + "?)").orElse("");
  }
}
