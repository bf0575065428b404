package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which basic tokens may be replaced: alphabetic after lower-casing and not a stop word. */
class StopWordsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      dog       | true
      Paris     | true
      the       | false
      The       | false
      ourselves | false
      don't     | false
      don       | false
      's        | false
      3d        | false
      café      | false
      .         | false
      well-made | false
      [MASK]    | false
      """)
  void candidates(String word, boolean expected) {
    assertEquals(expected, StopWords.isCandidate(word));
  }

  @ParameterizedTest
  @CsvSource(quoteCharacter = '"', value = {"i", "me", "wouldn't", "'re", "y", "ma"})
  void theListIsTheReferences(String word) {
    assertEquals(true, StopWords.ENGLISH.contains(word));
    assertEquals(173, StopWords.ENGLISH.size());
  }
}
