package org.tinybert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tinybert.testing.Tensors.assertClose;
import static org.tinybert.testing.Tensors.assertScoresClose;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Engines;
import org.tinybert.testing.Golden;
import org.tinybert.testing.GoldenSet;

/**
 * BERT's forward pass against the PyTorch reference's outputs for the teacher and student of every golden set, on
 * every engine this backend runs.
 */
public class GoldenForwardTest {
  static final double ACT = 1e-4;
  static final Map<GoldenSet, Map<String, INDArray>> EXPECTED = new ConcurrentHashMap<>();

  static Map<String, INDArray> expected(GoldenSet set) {
    return EXPECTED.computeIfAbsent(set, GoldenSet::expected);
  }

  static Stream<Arguments> models() {
    return GoldenSet.all().stream().flatMap(s -> Engines.available().stream()
        .flatMap(e -> Stream.of(Arguments.of(s, "teacher", e), Arguments.of(s, "student", e))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("models")
  void everyOutputMatchesTheReference(GoldenSet set, String who, Engine engine) {
    check(set, who, set.model(who).withEngine(engine));
  }

  /** A frozen model (query, key and value weights stacked once) computes the same outputs. */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("models")
  void frozenModelMatchesTheReference(GoldenSet set, String who, Engine engine) {
    check(set, who, set.model(who).frozen().withEngine(engine));
  }

  private static void check(GoldenSet set, String who, BertModel m) {
    Map<String, INDArray> expected = expected(set);
    BertModel.Forward f = m.forward(set.batch("batch"), false, m.fitCount() > 0);
    int layers = m.config().numHiddenLayers();
    assertClose(who + ".embedding_output", expected.get(who + ".embedding_output"), f.as3d(f.embeddingOutput()), ACT);
    for (int i = 0; i <= layers; i++) {
      assertClose(who + ".hidden_states." + i, expected.get(who + ".hidden_states." + i),
          f.as3d(f.hiddenStates.get(i)), ACT);
    }
    for (int i = 0; i < layers; i++) {
      assertScoresClose(who + ".attention_scores." + i, expected.get(who + ".attention_scores." + i),
          f.attentionScores.get(i));
    }
    assertClose(who + ".pooled_output", expected.get(who + ".pooled_output"), f.pooledOutput, ACT);
    assertClose(who + ".logits", expected.get(who + ".logits"), f.logits, ACT);
    assertClose(who + ".logits_relu", expected.get(who + ".logits_relu"), f.logitsRelu, ACT);
    int fits = (int) expected.keySet().stream().filter(k -> k.startsWith(who + ".fit_hidden_states.")).count();
    assertEquals(fits, f.fitHiddenStates.size(), who + " fit_dense outputs");
    for (int i = 0; i < fits; i++) {
      assertClose(who + ".fit_hidden_states." + i, expected.get(who + ".fit_hidden_states." + i),
          f.as3d(f.fitHiddenStates.get(i)), ACT);
    }
  }

  /**
   * The last layer computed at a few rows only (unordered, repeated, padding included) gives those rows of the
   * reference's last hidden state.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("models")
  void lastHiddenStateAtChosenRowsMatchesTheReference(GoldenSet set, String who, Engine engine) {
    BertModel m = set.model(who).withEngine(engine);
    BertBatch batch = set.batch("batch");
    int r = batch.batchSize() * batch.seqLength();
    int[] rows = {r - 1, 0, batch.seqLength() + 1, 0, r / 2};
    INDArray expected = expected(set).get(who + ".hidden_states." + m.config().numHiddenLayers()).reshape(r, -1);
    for (BertModel model : new BertModel[] {m, m.frozen()}) {
      INDArray got = model.sequenceOutputRows(batch, rows);
      assertEquals(rows.length, got.size(0));
      assertClose(who + ".hidden_states (rows)", expected.getRows(rows), got, ACT);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("org.tinybert.testing.Engines#goldenSets")
  void maskedLmLogitsMatchTheReference(GoldenSet set, Engine engine) {
    BertModel teacher = set.model("teacher").withEngine(engine);
    BertModel.Forward f = teacher.forward(set.batch("mlm"), false, false);
    int[][] positions = Golden.ints(set.json("inputs.json").get("mlm").get("masked_positions"));
    assertClose("teacher.mlm_logits", expected(set).get("teacher.mlm_logits"), teacher.mlmLogits(f, positions), ACT);
  }
}
