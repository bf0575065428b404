package org.tinybert.augment;

import java.util.Locale;
import java.util.Set;

/**
 * Which words TinyBERT's augmentation may replace: words of ASCII letters only that are not stop words. The list is
 * the 173 words of {@code data_augmentation.py}: an NLTK release's English stop words plus {@code 's} and {@code 're}.
 */
public final class StopWords {
  private StopWords() {}

  /** The stop words, lower case. */
  public static final Set<String> ENGLISH = Set.of(
      "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "you're", "you've", "you'll", "you'd",
      "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "she's", "her", "hers",
      "herself", "it", "it's", "its", "itself", "they", "them", "their", "theirs", "themselves", "this", "that",
      "that'll", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
      "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until",
      "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
      "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again",
      "further", "then", "once", "here", "there", "all", "any", "both", "each", "few", "more", "most", "other",
      "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can",
      "will", "just", "don", "don't", "should", "should've", "now", "d", "ll", "m", "o", "re", "ve", "y", "ain",
      "aren", "aren't", "couldn", "couldn't", "didn", "didn't", "doesn", "doesn't", "hadn", "hadn't", "hasn",
      "hasn't", "haven", "haven't", "isn", "isn't", "ma", "mightn", "mightn't", "mustn", "mustn't", "needn",
      "needn't", "shan", "shan't", "shouldn", "shouldn't", "wasn", "wasn't", "weren", "weren't", "won", "won't",
      "wouldn", "wouldn't", "'s", "'re");

  /**
   * Whether a basic token may be replaced: lower-cased, it is made of the letters a-z only (the reference's
   * {@code _is_valid}, which lower-cases first so cased models work too) and is not a stop word.
   */
  public static boolean isCandidate(String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (c < 'a' || c > 'z') return false;
    }
    return !ENGLISH.contains(lower);
  }
}
