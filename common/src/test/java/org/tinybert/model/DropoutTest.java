package org.tinybert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Dropout;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Engines;
import org.tinybert.testing.Golden;

/**
 * Training-mode dropout in the hand-written forward and backward passes. PyTorch's masks cannot be reproduced, so the
 * checks are: no effect at p = 0, torch's scaling of what is kept, reproducible masks, and the backward pass against
 * finite differences of the same (fixed-mask) forward pass.
 */
public class DropoutTest {
  private static final BertModel STUDENT = Golden.model("student");
  private static final BertBatch BATCH = Golden.batch("batch");

  @Test
  void zeroProbabilityChangesNothing() {
    BertModel.Forward plain = STUDENT.forward(BATCH, true, true);
    BertModel.Forward zero = STUDENT.forward(BATCH, true, true, new Dropout(0, 0, 99));
    for (int i = 0; i < plain.hiddenStates.size(); i++) {
      assertEquals(plain.hiddenStates.get(i), zero.hiddenStates.get(i), "representation " + i);
    }
    assertEquals(plain.logits, zero.logits);
  }

  @Test
  void embeddingOutputIsDroppedAndScaledLikeTorch() {
    double p = 0.3;
    INDArray clean = STUDENT.forward(BATCH, false, false).embeddingOutput();
    INDArray dropped = STUDENT.forward(BATCH, false, false, new Dropout(p, 0, 5)).embeddingOutput();
    float[] c = clean.reshape(-1).toFloatVector();
    float[] d = dropped.reshape(-1).toFloatVector();
    int zeros = 0;
    for (int i = 0; i < c.length; i++) {
      if (d[i] == 0f) {
        zeros++;
      } else {
        assertEquals(c[i] / (1 - p), d[i], 1e-5 * Math.abs(c[i]) + 1e-7, "kept value " + i);
      }
    }
    // Binomial(n, 0.3): the fraction is within 4 standard deviations.
    double sd = Math.sqrt(p * (1 - p) / c.length);
    assertEquals(p, zeros / (double) c.length, 4 * sd, "fraction dropped of " + c.length);
  }

  @Test
  void masksFollowTheSeedOnly() {
    Dropout d = new Dropout(0.1, 0.1, 17);
    INDArray a = STUDENT.forward(BATCH, false, false, d).sequenceOutput().dup();
    INDArray b = STUDENT.forward(BATCH, false, false, d).sequenceOutput().dup();
    INDArray other = STUDENT.forward(BATCH, false, false, d.withSeed(18)).sequenceOutput().dup();
    assertEquals(a, b);
    assertNotEquals(a, other);
  }

  @Test
  void maskDrawsAreIndependentOfChunking() {
    byte[] whole = new byte[1000];
    Dropout.draw(whole, 0, 1000, 0.25, 3, 4, 5);
    byte[] again = new byte[1000];
    Dropout.draw(again, 0, 1000, 0.25, 3, 4, 5);
    byte[] otherRow = new byte[1000];
    Dropout.draw(otherRow, 0, 1000, 0.25, 3, 4, 6);
    assertEquals(java.util.Arrays.toString(whole), java.util.Arrays.toString(again));
    assertNotEquals(java.util.Arrays.toString(whole), java.util.Arrays.toString(otherRow));
  }

  @Test
  void probabilitiesOutsideTheUnitIntervalAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 0, 0));
    assertTrue(e.getMessage().contains("hidden dropout must be in [0, 1), found 1.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dropout(0, -0.1, 0));
  }

  /**
   * d/de L(theta + e v) at e = 0 by central differences against the backward pass's gradient dotted with v, for a
   * random linear functional L of every output (representations, attention scores, both classifier heads).
   */
  static Stream<Arguments> dropoutsOnEveryEngine() {
    double[][] probabilities = {{0, 0}, {0.2, 0}, {0, 0.2}, {0.15, 0.25}};
    return Stream.of(probabilities)
        .flatMap(p -> Engines.available().stream().map(e -> Arguments.of(p[0], p[1], e)));
  }

  @ParameterizedTest(name = "hidden {0}, attention {1}, {2}")
  @MethodSource("dropoutsOnEveryEngine")
  void backwardMatchesFiniteDifferences(double hidden, double attention, Engine engine) {
    Dropout drop = new Dropout(hidden, attention, 1234);
    Random rnd = new Random(7);
    BertModel student = STUDENT.withEngine(engine);
    BertModel.Forward f0 = student.forward(BATCH, true, true, drop);
    Functional fn = Functional.random(f0, rnd);

    Map<String, INDArray> grads = new LinkedHashMap<>();
    STUDENT.params().forEach((k, v) -> grads.put(k, Nd4j.zeros(DataType.FLOAT, v.shape())));
    student.backward(f0, fn.outputGrads(STUDENT.config().numHiddenLayers()), grads);

    Map<String, INDArray> dir = new LinkedHashMap<>();
    double analytic = 0;
    for (Map.Entry<String, INDArray> e : STUDENT.params().entrySet()) {
      INDArray v = Functional.like(e.getValue(), rnd).castTo(DataType.DOUBLE).muli(0.02);
      // BERT's padding embedding gets no gradient (torch's padding_idx): leave it out of the direction.
      if (e.getKey().endsWith("word_embeddings.weight")) v.getRow(STUDENT.config().padTokenId()).assign(0);
      dir.put(e.getKey(), v);
      analytic += grads.get(e.getKey()).castTo(DataType.DOUBLE).mul(v).sumNumber().doubleValue();
    }
    double eps = 0.02;
    double plus = fn.value(shifted(dir, eps).withEngine(engine).forward(BATCH, false, true, drop));
    double minus = fn.value(shifted(dir, -eps).withEngine(engine).forward(BATCH, false, true, drop));
    double numeric = (plus - minus) / (2 * eps);
    assertEquals(numeric, analytic, 5e-4 * Math.abs(numeric) + 1e-3,
        "p " + hidden + "/" + attention + ": directional derivative: numeric " + numeric + ", backward " + analytic);
  }

  private static BertModel shifted(Map<String, INDArray> dir, double eps) {
    Map<String, INDArray> p = new LinkedHashMap<>();
    STUDENT.params().forEach((k, v) -> p.put(k, v.castTo(DataType.DOUBLE).addi(dir.get(k).mul(eps))
        .castTo(DataType.FLOAT)));
    return new BertModel(STUDENT.config(), p);
  }

  /** L = sum of random weights times every output (representations, fit projections, scores, logits). */
  private record Functional(List<INDArray> hidden, List<INDArray> fit, List<INDArray> scores, INDArray logits,
      INDArray logitsRelu) {
    static Functional random(BertModel.Forward f, Random rnd) {
      return new Functional(f.hiddenStates.stream().map(a -> like(a, rnd)).toList(),
          f.fitHiddenStates.stream().map(a -> like(a, rnd)).toList(),
          // Scores of masked keys hold -10000 plus float noise: a weight there would only measure that noise.
          f.attentionScores.stream().map(a -> like(a, rnd).muli(a.gt(-1000).castTo(DataType.FLOAT))).toList(),
          like(f.logits, rnd), like(f.logitsRelu, rnd));
    }

    static INDArray like(INDArray a, Random rnd) {
      INDArray r = Nd4j.create(DataType.FLOAT, a.shape());
      float[] v = new float[(int) a.length()];
      for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
      return r.assign(Nd4j.create(v, a.shape()));
    }

    double value(BertModel.Forward f) {
      double s = 0;
      for (int i = 0; i < hidden.size(); i++) s += dot(hidden.get(i), f.hiddenStates.get(i));
      for (int i = 0; i < fit.size(); i++) s += dot(fit.get(i), f.fitHiddenStates.get(i));
      for (int i = 0; i < scores.size(); i++) s += dot(scores.get(i), f.attentionScores.get(i));
      return s + dot(logits, f.logits) + dot(logitsRelu, f.logitsRelu);
    }

    BertModel.OutputGrads outputGrads(int layers) {
      BertModel.OutputGrads g = new BertModel.OutputGrads(layers);
      for (int i = 0; i < hidden.size(); i++) g.hiddenStates[i] = hidden.get(i).dup();
      for (int i = 0; i < fit.size(); i++) g.fitHiddenStates[i] = fit.get(i).dup();
      for (int i = 0; i < scores.size(); i++) g.attentionScores[i] = scores.get(i).dup();
      g.logits = logits.dup();
      g.logitsRelu = logitsRelu.dup();
      return g;
    }

    private static double dot(INDArray a, INDArray b) {
      return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE).reshape(a.shape())).sumNumber().doubleValue();
    }
  }
}
