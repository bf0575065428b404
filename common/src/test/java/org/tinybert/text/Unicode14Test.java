package org.tinybert.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Input where Java 17's Unicode 13.0 tables or its lower-casing differ from the reference's Python 3.11. */
class Unicode14Test {
  private static final Vocab VOCAB = GoldenTokenizerTest.vocab("/org/tinybert/golden/vocab.txt");
  private static final BertTokenizer UNCASED = new BertTokenizer(VOCAB, true);
  private static final BertTokenizer CASED = new BertTokenizer(VOCAB, false);

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    GoldenTokenizerTest.json("/org/tinybert/text/unicode14_cases.json").get("cases").forEach(c -> out.add(
        Arguments.of(GoldenTokenizerTest.escape(c.get("text").asText()), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void matchesReferenceTokenizer(String name, JsonNode c) {
    String text = c.get("text").asText();
    assertEquals(GoldenTokenizerTest.strings(c.get("basic_tokens")), UNCASED.basicTokenize(text), "basic, uncased");
    assertEquals(GoldenTokenizerTest.strings(c.get("basic_tokens_cased")), CASED.basicTokenize(text), "basic, cased");
    List<String> tokens = UNCASED.tokenize(text);
    assertEquals(GoldenTokenizerTest.strings(c.get("tokens")), tokens, "WordPieces");
    assertArrayEquals(GoldenTokenizerTest.ints(c.get("ids")), UNCASED.toIds(tokens), "ids");
  }
}
