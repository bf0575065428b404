package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Engines;

/** Batched neighbours against numpy (the reference's computation), a brute-force scan, and one query at a time. */
public class GloveNeighboursTest {
  static final int K = 5;

  static List<String> queries(JsonNode neighbours) {
    List<String> q = new ArrayList<>();
    neighbours.fieldNames().forEachRemaining(q::add);
    return q;
  }

  /** Every cosine in double, sorted: no matrix products, no top-K heap. */
  static Set<String> bruteForce(GloveVectors g, String word, int k) {
    int q = g.indexOf(word);
    if (q < 0) return Set.of();
    float[] a = g.vector(q);
    double[] cos = new double[g.size()];
    for (int i = 0; i < g.size(); i++) {
      float[] b = g.vector(i);
      for (int j = 0; j < a.length; j++) cos[i] += (double) a[j] * b[j];
    }
    Set<String> out = new HashSet<>();
    IntStream.range(0, g.size()).filter(i -> i != q && g.usable(i)).boxed()
        .sorted(Comparator.comparingDouble(i -> -cos[i])).limit(k).forEach(i -> out.add(g.word(i)));
    return out;
  }

  static Stream<Arguments> batchesOnEveryEngine() {
    return IntStream.of(1, 3, 64).boxed().flatMap(b -> Engines.available().stream().map(e -> Arguments.of(b, e)));
  }

  @ParameterizedTest(name = "query batch {0}, {1}")
  @MethodSource("batchesOnEveryEngine")
  void batchedEqualsTheReferenceAndBruteForce(int batch, Engine engine) {
    GloveVectors g = AugmentFixtures.glove();
    JsonNode expected = AugmentFixtures.expected().get("glove").get("neighbours");
    List<String> words = queries(expected);
    GloveNeighbours n = new GloveNeighbours(g, K, batch, engine);
    Map<String, List<String>> got = n.nearest(words);
    for (String w : words) {
      Set<String> want = new HashSet<>(AugmentFixtures.strings(expected.get(w)));
      assertEquals(want, new HashSet<>(got.get(w)), w);
      assertEquals(bruteForce(g, w, K), new HashSet<>(got.get(w)), w);
      assertEquals(got.get(w), n.nearestOne(w), w);
    }
    assertEquals(words.size() - 1, n.cached(), "every known word cached once");
    assertEquals(got, n.nearest(words), "answers from the cache");
  }

  @Test
  void onlyTheFirstWordsOfALimitedVocabularyAreNeighbours() throws IOException {
    GloveVectors g = GloveVectors.load(AugmentFixtures.path("glove.txt"), new Configuration(),
        new GloveVectors.Options(AugmentFixtures.expected().get("glove").get("limit").asInt(), false, 5));
    JsonNode expected = AugmentFixtures.expected().get("glove").get("neighbours_within_limit");
    Map<String, List<String>> got = new GloveNeighbours(g, K, 4).nearest(queries(expected));
    for (String w : queries(expected)) {
      assertEquals(new HashSet<>(AugmentFixtures.strings(expected.get(w))), new HashSet<>(got.get(w)), w);
    }
  }
}
