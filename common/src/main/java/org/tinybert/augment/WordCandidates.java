package org.tinybert.augment;

import java.util.List;

/**
 * The replacements one word may take.
 *
 * @param token index of the word among its text's basic tokens
 * @param word the word
 * @param source where the replacements came from
 * @param replacements never empty: when neither the masked LM nor GloVe proposes anything, the word itself (as in the
 *     reference)
 */
public record WordCandidates(int token, String word, SentencePlan.Source source, List<String> replacements) {
  public WordCandidates {
    replacements = List.copyOf(replacements);
    if (replacements.isEmpty()) throw new IllegalArgumentException("no replacements for '" + word + "'");
  }
}
