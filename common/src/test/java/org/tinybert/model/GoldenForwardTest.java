package org.tinybert.model;

import static org.tinybert.testing.Tensors.assertClose;
import static org.tinybert.testing.Tensors.assertScoresClose;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.testing.Golden;

/** BERT's forward pass against the PyTorch reference's outputs for the golden teacher and student. */
class GoldenForwardTest {
  static final double ACT = 1e-4;
  static Map<String, INDArray> expected;

  @BeforeAll
  static void load() {
    expected = Golden.expected();
  }

  @ParameterizedTest
  @ValueSource(strings = {"teacher", "student"})
  void everyOutputMatchesTheReference(String who) {
    BertModel m = Golden.model(who);
    BertModel.Forward f = m.forward(Golden.batch("batch"), false, m.fitCount() > 0);
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
    for (int i = 0; i < f.fitHiddenStates.size(); i++) {
      assertClose(who + ".fit_hidden_states." + i, expected.get(who + ".fit_hidden_states." + i),
          f.as3d(f.fitHiddenStates.get(i)), ACT);
    }
  }

  @org.junit.jupiter.api.Test
  void maskedLmLogitsMatchTheReference() {
    BertModel teacher = Golden.model("teacher");
    BertModel.Forward f = teacher.forward(Golden.batch("mlm"), false, false);
    int[][] positions = Golden.ints(Golden.json("inputs.json").get("mlm").get("masked_positions"));
    assertClose("teacher.mlm_logits", expected.get("teacher.mlm_logits"), teacher.mlmLogits(f, positions), ACT);
  }
}
