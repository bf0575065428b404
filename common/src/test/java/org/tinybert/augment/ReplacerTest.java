package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Variants: p_t, N, duplicates dropped, replacements only where and from what the candidates allow. */
class ReplacerTest {
  static final List<String> TOKENS = List.of("a", "warm", ",", "funny", "film");
  static final List<WordCandidates> WORDS = List.of(
      new WordCandidates(1, "warm", SentencePlan.Source.MLM, List.of("cold", "hot", "warm")),
      new WordCandidates(3, "funny", SentencePlan.Source.MLM, List.of("sad", "boring")),
      new WordCandidates(4, "film", SentencePlan.Source.GLOVE, List.of("movie", "story", "show", "play")));

  static List<Replacer.Variant> variants(double p, int n, long seed) {
    return new Replacer(p, n).variants("a warm, funny film", TOKENS, WORDS, RowAugmenter.random(seed, 7, 0));
  }

  @ParameterizedTest(name = "p={0} N={1}")
  @CsvSource({"0.4, 20", "1.0, 50", "0.1, 5"})
  void variantsAreDistinctAndOnlyReplaceCandidates(double p, int n) {
    List<Replacer.Variant> vs = variants(p, n, 42);
    assertTrue(vs.size() <= n);
    Set<String> texts = new HashSet<>();
    for (Replacer.Variant v : vs) {
      assertTrue(texts.add(v.text()), "duplicate " + v.text());
      assertNotEquals("a warm, funny film", v.text());
      String[] t = v.text().split(" ");
      assertEquals(TOKENS.size(), t.length);
      Set<Integer> replaced = new HashSet<>();
      for (Replacer.Replacement r : v.replacements()) {
        WordCandidates w = WORDS.stream().filter(c -> c.token() == r.token()).findFirst().orElseThrow();
        assertTrue(w.replacements().contains(r.replacement()), r.toString());
        assertEquals(w.source(), r.source());
        assertEquals(r.replacement(), t[r.token()]);
        replaced.add(r.token());
      }
      for (int i = 0; i < t.length; i++) if (!replaced.contains(i)) assertEquals(TOKENS.get(i), t[i]);
    }
  }

  @Test
  void sameSeedSameVariants() {
    assertEquals(variants(0.4, 20, 42), variants(0.4, 20, 42));
    assertNotEquals(variants(0.4, 20, 42), variants(0.4, 20, 43));
  }

  @Test
  void withoutReplacementOnlyTheRespacedTextRemains() {
    List<Replacer.Variant> vs = variants(0.0, 20, 1);
    assertEquals(List.of(new Replacer.Variant("a warm , funny film", List.of())), vs);
  }

  @Test
  void theReplacementRateIsPt() {
    // With p_t = 0.4 over many draws, about 40% of the words (less the draws that pick the word itself) change.
    Replacer r = new Replacer(0.4, 1);
    int changed = 0;
    int draws = 20_000;
    for (int i = 0; i < draws; i++) {
      changed += r.variants("x", TOKENS, WORDS, RowAugmenter.random(5, i, 0)).stream()
          .mapToInt(v -> v.replacements().size()).sum();
    }
    double expected = 0.4 * (2.0 / 3 + 1.0 + 1.0);
    assertEquals(expected, changed / (double) draws, 0.03);
  }
}
