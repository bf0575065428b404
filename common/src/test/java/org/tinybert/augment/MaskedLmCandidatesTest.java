package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Engines;
import org.tinybert.testing.Golden;

/**
 * Masked-LM proposals on the golden teacher: the reference's inputs, the PyTorch reference's top-15, and batched
 * (across words and sentences, padded) equal to one forward pass per word.
 */
public class MaskedLmCandidatesTest {
  static final int K = 15;

  record Case(MaskedLmCandidates.Query query, JsonNode expected) {}

  static List<Case> cases() {
    MaskedLm lm = AugmentFixtures.teacher();
    List<Case> out = new ArrayList<>();
    for (JsonNode c : AugmentFixtures.expected().get("mlm").get("cases")) {
      SentencePlan plan = SentencePlan.of(lm.tokenizer(), c.get("text").asText());
      out.add(new Case(new MaskedLmCandidates.Query(plan.pieces(), c.get("piece").asInt()), c));
    }
    return out;
  }

  @Test
  void inputsAreTheReferences() {
    MaskedLmCandidates m = new MaskedLmCandidates(AugmentFixtures.teacher(), K, 8, 512);
    assertEquals(Golden.json("teacher/config.json").get("max_position_embeddings").asInt(), m.maxLength());
    for (Case c : cases()) {
      MaskedLmCandidates.Encoded e = m.encode(c.query());
      if (c.expected().get("input_ids").isNull()) {
        assertNull(e, c.expected().toString());
        continue;
      }
      assertArrayEquals(Golden.intArray(c.expected().get("input_ids")), e.ids(), c.expected().get("text").asText());
      assertArrayEquals(Golden.intArray(c.expected().get("segment_ids")), e.segments());
      assertEquals(c.query().piece() + 1, e.mask());
    }
  }

  /** The one-pass-per-word path is slow (about 1 ms of fixed cost per ND4J op): it is compared on the first cases. */
  static final int ONE_AT_A_TIME_CASES = 10;
  static List<List<String>> oneAtATime;

  static synchronized List<List<String>> oneAtATime(List<MaskedLmCandidates.Query> queries) {
    if (oneAtATime == null) {
      MaskedLmCandidates m = new MaskedLmCandidates(AugmentFixtures.teacher(), K, 1, 512);
      oneAtATime = queries.stream().map(m::candidatesOneAtATime).toList();
    }
    return oneAtATime;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.Engines#available")
  void batchedEqualsTheReference(Engine engine) {
    MaskedLmCandidates m = new MaskedLmCandidates(AugmentFixtures.teacher().withEngine(engine), K, 64, 512);
    List<Case> cases = cases();
    List<List<String>> batched = m.candidates(cases.stream().map(Case::query).toList());
    int empty = 0;
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i).expected();
      String what = c.get("word").asText() + " in " + c.get("text");
      assertEquals(new HashSet<>(AugmentFixtures.strings(c.get("proposals"))), new HashSet<>(batched.get(i)), what);
      assertTrue(batched.get(i).stream().noneMatch(t -> t.startsWith("##")), what);
      if (batched.get(i).isEmpty()) empty++;
    }
    assertEquals(4, empty, "the masks past position 63 get no proposals");
    assertEquals((cases.size() - empty + 63) / 64, m.stats().forwards(), "forward passes");
    assertEquals(cases.size() - empty, m.stats().inputs());
  }

  /** A query asked again (MNLI's repeated premises) gets the same proposals without another input. */
  @Test
  void repeatedQueriesAreComputedOnce() {
    List<MaskedLmCandidates.Query> queries = cases().subList(0, ONE_AT_A_TIME_CASES).stream().map(Case::query)
        .toList();
    List<MaskedLmCandidates.Query> twice = new ArrayList<>(queries);
    for (int i = queries.size() - 1; i >= 0; i -= 3) {
      MaskedLmCandidates.Query q = queries.get(i);
      twice.add(i / 2, new MaskedLmCandidates.Query(new ArrayList<>(q.pieces()), q.piece()));
    }
    MaskedLmCandidates once = new MaskedLmCandidates(AugmentFixtures.teacher(), K, 4, 512);
    List<List<String>> expected = once.candidates(queries);
    MaskedLmCandidates m = new MaskedLmCandidates(AugmentFixtures.teacher(), K, 4, 512);
    List<List<String>> got = m.candidates(twice);
    assertEquals(twice.size(), got.size());
    for (int i = 0; i < twice.size(); i++) {
      assertEquals(expected.get(queries.indexOf(twice.get(i))), got.get(i), "query " + i);
    }
    assertEquals(once.stats().inputs(), m.stats().inputs());
  }

  static Stream<Arguments> batchesOnEveryEngine() {
    return Stream.of(4, 64).flatMap(b -> Engines.available().stream().map(e -> Arguments.of(b, e)));
  }

  @ParameterizedTest(name = "batch {0}, {1}")
  @MethodSource("batchesOnEveryEngine")
  void batchedEqualsOneAtATime(int batch, Engine engine) {
    MaskedLmCandidates m = new MaskedLmCandidates(AugmentFixtures.teacher().withEngine(engine), K, batch, 512);
    List<MaskedLmCandidates.Query> queries =
        cases().subList(0, ONE_AT_A_TIME_CASES).stream().map(Case::query).toList();
    List<List<String>> batched = m.candidates(queries);
    assertEquals(oneAtATime(queries), batched);
  }
}
