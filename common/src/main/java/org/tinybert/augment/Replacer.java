package org.tinybert.augment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the variants of one text (the reference's {@code augment}): N times, each candidate word is replaced, with
 * probability p_t, by one of its replacements picked uniformly; the basic tokens are joined with spaces; a variant
 * equal to the original text or to an earlier variant is dropped. So a text yields at most N variants; one with no
 * candidate words yields at most its space-joined tokens, when that differs from the text.
 *
 * <p>Per word, the replacement is drawn before the coin is tossed, as in the reference, whose draws these mirror one
 * for one (with Java's generator, not Python's, so the words differ).
 */
public final class Replacer {
  /** A word of a variant that differs from the original. */
  public record Replacement(int token, String word, String replacement, SentencePlan.Source source) {}

  /** One variant: its text and what was replaced. */
  public record Variant(String text, List<Replacement> replacements) {}

  private final double replaceProbability;
  private final int variants;

  /**
   * @param replaceProbability p_t, the chance that a candidate word is replaced in a variant
   * @param variants N, how many variants are drawn (before duplicates are dropped)
   */
  public Replacer(double replaceProbability, int variants) {
    if (!(replaceProbability >= 0 && replaceProbability <= 1) || variants < 0) {
      throw new IllegalArgumentException("p_t must be in [0, 1] and N >= 0, found " + replaceProbability + " and "
          + variants);
    }
    this.replaceProbability = replaceProbability;
    this.variants = variants;
  }

  public int variants() {
    return variants;
  }

  /**
   * The distinct variants of {@code original}, in the order drawn.
   *
   * @param tokens its basic tokens
   * @param words its candidate words, in token order
   */
  public List<Variant> variants(String original, List<String> tokens, List<WordCandidates> words,
      SplittableRandom rng) {
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    seen.add(original);
    List<Variant> out = new ArrayList<>();
    String[] sentence = new String[tokens.size()];
    for (int n = 0; n < variants; n++) {
      tokens.toArray(sentence);
      List<Replacement> replaced = new ArrayList<>();
      for (WordCandidates w : words) {
        String pick = w.replacements().get(rng.nextInt(w.replacements().size()));
        if (rng.nextDouble() < replaceProbability && !pick.equals(w.word())) {
          sentence[w.token()] = pick;
          replaced.add(new Replacement(w.token(), w.word(), pick, w.source()));
        }
      }
      String text = String.join(" ", sentence);
      if (seen.add(text)) out.add(new Variant(text, List.copyOf(replaced)));
    }
    return out;
  }
}
