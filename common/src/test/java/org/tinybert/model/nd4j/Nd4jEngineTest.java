package org.tinybert.model.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Engine;
import org.tinybert.model.cpu.CpuEngine;

/**
 * Every operation of the portable engine against the CPU engine's on the same random inputs (the CPU kernels are
 * checked against the definitions and the reference elsewhere): equal to float rounding, with dropout drawing the
 * same masks, on column blocks and views as the model passes them.
 */
class Nd4jEngineTest {
  static final Engine CPU = CpuEngine.INSTANCE;
  static final Engine ND4J = Nd4jEngine.INSTANCE;

  static INDArray random(Random r, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
    return Nd4j.createFromArray(v).reshape(shape);
  }

  /** |a - b| <= tol * (1 + |a|) everywhere. */
  static void assertNear(String what, INDArray expected, INDArray actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] ec = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    for (int i = 0; i < ec.length; i++) {
      assertTrue(Math.abs(ec[i] - a[i]) <= tol * (1 + Math.abs(ec[i])),
          what + " element " + i + ": cpu " + ec[i] + ", nd4j " + a[i]);
    }
  }

  static void assertNear(String what, INDArray expected, INDArray actual) {
    assertNear(what, expected, actual, 2e-5);
  }

  @Test
  void linearLayersAndTheirBackwardPasses() {
    Random r = new Random(1);
    INDArray x = random(r, 7, 5);
    INDArray w = random(r, 4, 5);
    INDArray b = random(r, 4);
    assertNear("x W^T + b", CPU.linear(x, w, b), ND4J.linear(x, w, b));
    assertNear("x W^T", CPU.linear(x, w, null), ND4J.linear(x, w, null));

    // The fused projection's middle column block [4, 8) of a [7, 12] gradient, accumulating into dx.
    INDArray dy = random(r, 7, 12);
    INDArray[] dw = {random(r, 4, 5), null};
    INDArray[] db = {random(r, 4), null};
    INDArray[] dx = {random(r, 7, 5), null};
    dw[1] = dw[0].dup();
    db[1] = db[0].dup();
    dx[1] = dx[0].dup();
    CPU.linearBackward(dy, 4, x, w, dw[0], db[0], dx[0], true);
    ND4J.linearBackward(dy, 4, x, w, dw[1], db[1], dx[1], true);
    assertNear("dW", dw[0], dw[1]);
    assertNear("db", db[0], db[1]);
    assertNear("dx accumulated", dx[0], dx[1]);
    INDArray g = random(r, 7, 4);
    assertNear("dx", CPU.linearBackward(g, x, w, null, null, true), ND4J.linearBackward(g, x, w, null, null, true));
  }

  @ParameterizedTest(name = "bias and residual {0}, accumulate {1}")
  @CsvSource({"false, false", "true, false", "true, true"})
  void layerNormAndItsBackwardPass(boolean withAdds, boolean accumulate) {
    Random r = new Random(2);
    INDArray x = random(r, 6, 8).muli(3).addi(1);
    INDArray bias = withAdds ? random(r, 8) : null;
    INDArray residual = withAdds ? random(r, 6, 8) : null;
    INDArray gamma = random(r, 8);
    INDArray beta = random(r, 8);
    INDArray[] y = new INDArray[2];
    Engine.NormCache[] caches = new Engine.NormCache[2];
    Engine[] engines = {CPU, ND4J};
    for (int e = 0; e < 2; e++) {
      y[e] = Nd4j.create(DataType.FLOAT, 6, 8);
      caches[e] = engines[e].normCache(6, 8);
      engines[e].layerNorm(x.dup(), bias, residual, gamma, beta, 1e-12, y[e], caches[e]);
    }
    assertNear("LayerNorm", y[0], y[1]);
    assertNear("LayerNorm, no cache", CPU.layerNorm(x, gamma, beta, 1e-5), ND4J.layerNorm(x, gamma, beta, 1e-5));

    INDArray dy = random(r, 6, 8);
    INDArray start = random(r, 6, 8);
    INDArray[] dx = new INDArray[2];
    INDArray[] dg = {random(r, 8), null};
    INDArray[] dbeta = {random(r, 8), null};
    dg[1] = dg[0].dup();
    dbeta[1] = dbeta[0].dup();
    for (int e = 0; e < 2; e++) {
      // In place (dx = dy) when not accumulating, as the model calls it.
      INDArray d = dy.dup();
      dx[e] = accumulate ? start.dup() : d;
      engines[e].layerNormBackward(d, caches[e], gamma, dg[e], dbeta[e], dx[e], accumulate);
    }
    assertNear("d(input)", dx[0], dx[1]);
    assertNear("d(gamma)", dg[0], dg[1]);
    assertNear("d(beta)", dbeta[0], dbeta[1]);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"gelu", "relu"})
  void activationsAndTheirBackwardPasses(String act) {
    Random r = new Random(3);
    INDArray x = random(r, 5, 9).muli(2);
    INDArray bias = random(r, 9);
    INDArray[] pre = {x.dup(), x.dup()};
    INDArray[] y = {Nd4j.create(DataType.FLOAT, 5, 9), Nd4j.create(DataType.FLOAT, 5, 9)};
    INDArray[] inPlace = {x.dup(), x.dup()};
    Engine[] engines = {CPU, ND4J};
    for (int e = 0; e < 2; e++) {
      if (act.equals("gelu")) {
        engines[e].gelu(pre[e], bias, y[e]);
        engines[e].gelu(inPlace[e], null, inPlace[e]);
      } else {
        engines[e].relu(pre[e], bias, y[e]);
        engines[e].relu(inPlace[e], null, inPlace[e]);
      }
    }
    assertNear(act + "(x + b)", y[0], y[1]);
    assertNear("x + b kept", pre[0], pre[1]);
    assertNear(act + " in place", inPlace[0], inPlace[1]);
    INDArray dy = random(r, 5, 9);
    INDArray[] dx = {dy.dup(), dy.dup()};
    for (int e = 0; e < 2; e++) {
      if (act.equals("gelu")) engines[e].geluBackward(dx[e], x, dx[e]); else engines[e].reluBackward(dx[e], x, dx[e]);
    }
    assertNear(act + "'", dx[0], dx[1]);
  }

  @Test
  void dropoutDrawsTheSameMasks() {
    Random r = new Random(4);
    INDArray x = random(r, 10, 16);
    INDArray bias = random(r, 16);
    INDArray[] y = {x.dup(), x.dup()};
    Engine.Mask cpu = CPU.dropout(y[0], bias, 0.3, 11, 5);
    Engine.Mask nd4j = ND4J.dropout(y[1], bias, 0.3, 11, 5);
    assertNear("dropout(x + b)", y[0], y[1]);
    assertTrue(y[1].eq(0).castTo(DataType.INT32).sumNumber().intValue() > 0, "some units dropped");
    INDArray dy = random(r, 10, 16);
    INDArray[] dx = {Nd4j.create(DataType.FLOAT, 10, 16), Nd4j.create(DataType.FLOAT, 10, 16)};
    CPU.dropoutBackward(dy, cpu, 0.3, dx[0]);
    ND4J.dropoutBackward(dy, nd4j, 0.3, dx[1]);
    assertNear("dropout backward", dx[0], dx[1]);
    nd4j.release();
  }

  /** A batch with the last {@code padded} positions of every sequence but the first masked. */
  static BertBatch batch(int b, int l, int padded) {
    int[] ids = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < l; t++) mask[i * l + t] = i == 0 || t < l - padded ? 1 : 0;
    }
    return new BertBatch(b, l, ids, new int[b * l], mask);
  }

  @ParameterizedTest(name = "dropout {0}, context gradient {1}, direct score gradient {2}")
  @CsvSource({"0, true, false", "0, true, true", "0.2, true, true", "0, false, true"})
  void attentionAndItsBackwardPass(double p, boolean context, boolean direct) {
    int b = 3;
    int l = 6;
    int heads = 2;
    int hs = 4;
    Random r = new Random(5);
    INDArray qkv = random(r, b * l, 3 * heads * hs);
    BertBatch batch = batch(b, l, 2);
    Engine[] engines = {CPU, ND4J};
    INDArray[] scores = new INDArray[2];
    INDArray[] probs = new INDArray[2];
    INDArray[] dropped = new INDArray[2];
    INDArray[] ctx = new INDArray[2];
    Engine.Mask[] keep = new Engine.Mask[2];
    for (int e = 0; e < 2; e++) {
      scores[e] = Nd4j.create(DataType.FLOAT, b, heads, l, l);
      probs[e] = Nd4j.create(DataType.FLOAT, b, heads, l, l);
      dropped[e] = p > 0 ? Nd4j.create(DataType.FLOAT, b, heads, l, l) : null;
      ctx[e] = Nd4j.create(DataType.FLOAT, b * l, heads * hs);
      keep[e] = engines[e].attention(qkv, engines[e].attentionMask(batch), b, l, heads, hs, scores[e], probs[e],
          dropped[e], p, 9, 2, ctx[e]);
    }
    assertNear("scores", scores[0], scores[1]);
    assertNear("probs", probs[0], probs[1]);
    assertNear("context", ctx[0], ctx[1]);
    if (p > 0) assertNear("dropped", dropped[0], dropped[1]);

    INDArray dctx = context ? random(r, b * l, heads * hs) : null;
    INDArray dScores = direct ? random(r, b, heads, l, l) : null;
    INDArray[] dqkv = new INDArray[2];
    for (int e = 0; e < 2; e++) {
      dqkv[e] = Nd4j.create(DataType.FLOAT, b * l, 3 * heads * hs).assign(Float.NaN);
      engines[e].attentionBackward(qkv, probs[e], dropped[e], keep[e], p, dctx, dScores, b, l, heads, hs,
          context ? Nd4j.create(DataType.FLOAT, b, heads, l, l) : null, dqkv[e]);
    }
    assertNear("d(qkv)", dqkv[0], dqkv[1], 1e-4);

    int[] rows = {b * l - 1, 0, l + 2, 0};
    INDArray[] sel = new INDArray[2];
    for (int e = 0; e < 2; e++) {
      sel[e] = Nd4j.create(DataType.FLOAT, rows.length, heads * hs);
      engines[e].attentionRows(qkv, engines[e].attentionMask(batch), l, heads, hs, rows, sel[e]);
    }
    assertNear("context rows", sel[0], sel[1]);
  }

  @Test
  void embeddingsAndTheirGradients() {
    Random r = new Random(6);
    int b = 3;
    int l = 5;
    INDArray word = random(r, 20, 8);
    INDArray pos = random(r, 9, 8);
    INDArray type = random(r, 2, 8);
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i % 4 == 0 ? 0 : 1 + r.nextInt(6); // repeated ids and some [PAD] (0)
      seg[i] = i % l < 2 ? 0 : 1;
    }
    INDArray[] out = {Nd4j.create(DataType.FLOAT, b * l, 8), Nd4j.create(DataType.FLOAT, b * l, 8)};
    CPU.embed(word, pos, type, ids, seg, l, out[0]);
    ND4J.embed(word, pos, type, ids, seg, l, out[1]);
    assertNear("embedding sum", out[0], out[1]);

    INDArray src = random(r, b * l, 8);
    INDArray[] dWord = {random(r, 20, 8), null};
    INDArray[] dType = {random(r, 2, 8), null};
    INDArray[] dPos = {random(r, 9, 8), null};
    dWord[1] = dWord[0].dup();
    dType[1] = dType[0].dup();
    dPos[1] = dPos[0].dup();
    Engine[] engines = {CPU, ND4J};
    for (int e = 0; e < 2; e++) {
      engines[e].scatterAddRows(dWord[e], ids, src, 0);
      engines[e].scatterAddRows(dType[e], seg, src, -1);
      engines[e].addPositionGrad(dPos[e], src, l);
    }
    assertNear("d(word)", dWord[0], dWord[1]);
    assertEquals(dWord[0].getRow(0), dWord[1].getRow(0), "[PAD] gets no gradient");
    assertNear("d(type)", dType[0], dType[1]);
    assertNear("d(position)", dPos[0], dPos[1]);
  }

  @ParameterizedTest(name = "zero masked {0}")
  @ValueSource(booleans = {false, true})
  void meanSquaredError(boolean zeroMasked) {
    Random r = new Random(7);
    INDArray s = random(r, 2, 3, 4, 4);
    INDArray t = random(r, 2, 3, 4, 4);
    if (zeroMasked) {
      // Masked keys as the model writes them: -10000 plus the score, in both.
      s.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3)).subi(10000);
      t.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3)).subi(10000);
    }
    INDArray[] g = {Nd4j.create(DataType.FLOAT, 2, 3, 4, 4), Nd4j.create(DataType.FLOAT, 2, 3, 4, 4)};
    double cpu = CPU.mse(s, t, zeroMasked, 0.7, g[0]);
    double nd4j = ND4J.mse(s, t, zeroMasked, 0.7, g[1]);
    assertEquals(cpu, nd4j, 1e-6 * cpu);
    assertNear("gradient", g[0], g[1]);
  }

  @Test
  void crossEntropies() {
    Random r = new Random(8);
    INDArray s = random(r, 5, 3);
    INDArray t = random(r, 5, 3);
    INDArray[] g = {random(r, 5, 3), null};
    g[1] = g[0].dup();
    assertEquals(CPU.softCrossEntropy(s, t, 2.0, 0.5, g[0]), ND4J.softCrossEntropy(s, t, 2.0, 0.5, g[1]), 1e-9);
    int[] labels = {0, 2, 1, 1, 0};
    assertEquals(CPU.crossEntropy(s, labels, 0.3, g[0]), ND4J.crossEntropy(s, labels, 0.3, g[1]), 1e-9);
    float[] values = {0.5f, -1f, 2f, 0f, 3f};
    assertEquals(CPU.regressionMse(s, values, 1.5, g[0]), ND4J.regressionMse(s, values, 1.5, g[1]), 1e-9);
    assertNear("accumulated gradients", g[0], g[1], 1e-6);
  }

  @Test
  void adamUpdate() {
    Random r = new Random(9);
    INDArray[] g = {random(r, 1000), null};
    INDArray[] m = {random(r, 1000).muli(0.1), null};
    INDArray[] v = {random(r, 1000).muli(0.01), null};
    Transforms.abs(v[0], false);
    g[1] = g[0].dup();
    m[1] = m[0].dup();
    v[1] = v[0].dup();
    CPU.adamUpdate(g[0], m[0], v[0], 1e-3, 0.9, 0.999, 1e-6);
    ND4J.adamUpdate(g[1], m[1], v[1], 1e-3, 0.9, 0.999, 1e-6);
    assertNear("m", m[0], m[1]);
    assertNear("v", v[0], v[1]);
    assertNear("update", g[0], g[1]);
  }

  @Test
  void topKWithExclusionsAndNaN() {
    Random r = new Random(10);
    INDArray s = random(r, 4, 50);
    s.putScalar(1, 7, Float.NaN);
    s.putScalar(2, 3, 100f); // excluded below, though the largest
    boolean[] excluded = new boolean[50];
    excluded[3] = true;
    excluded[11] = true;
    int[] self = {5, -1, 0, 49};
    assertArrayEquals(CPU.topK(s, 6, self, excluded), ND4J.topK(s, 6, self, excluded));
    assertArrayEquals(CPU.topK(s, 3, null, null), ND4J.topK(s, 3, null, null));
    // Fewer eligible than asked: only the eligible ones.
    boolean[] most = new boolean[50];
    java.util.Arrays.fill(most, 2, 50, true);
    int[][] few = ND4J.topK(s, 5, null, most);
    assertArrayEquals(CPU.topK(s, 5, null, most), few);
    assertEquals(2, few[0].length);
  }
}
