package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Candidate words, their pieces and their source (masked LM for one piece, GloVe for several) against the oracle. */
class SentencePlanTest {
  static Stream<JsonNode> cases() {
    List<JsonNode> out = new ArrayList<>();
    AugmentFixtures.expected().get("selection").forEach(out::add);
    return out.stream();
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("cases")
  void candidatesMatchTheReferenceRules(JsonNode c) {
    SentencePlan plan = SentencePlan.of(AugmentFixtures.teacher().tokenizer(), c.get("text").asText());
    assertEquals(AugmentFixtures.strings(c.get("tokens")), plan.tokens());
    assertEquals(AugmentFixtures.strings(c.get("pieces")), plan.pieces());
    List<String> expected = new ArrayList<>();
    c.get("candidates").forEach(w -> expected.add(w.get("token").asInt() + " " + w.get("word").asText() + " "
        + w.get("piece").asInt() + " " + w.get("source").asText()));
    List<String> actual = new ArrayList<>();
    for (SentencePlan.Word w : plan.words()) {
      actual.add(w.token() + " " + w.text() + " " + w.firstPiece() + " " + w.source().label());
    }
    assertEquals(expected, actual);
  }
}
