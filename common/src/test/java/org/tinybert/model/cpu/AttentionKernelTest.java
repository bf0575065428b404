package org.tinybert.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link AttentionKernels#attention}, {@link AttentionKernels#attentionRows} and
 * {@link AttentionKernels#attentionBackward} against attention and its gradient written out in double precision, on
 * both schedules: head blocks spread over the cores (products OpenBLAS runs single-threaded) and products issued one
 * after another (larger ones), with and without dropout, with padded keys.
 */
class AttentionKernelTest {
  static final double TOL = 2e-5;

  /** qkv [B*L, 3H] and an additive mask with the last {@code padded} keys of every sequence masked. */
  record Case(int b, int l, int heads, int d, float[] qkv, float[] ext) {
    static Case of(int b, int l, int heads, int d, int padded) {
      Random r = new Random(l * 31L + d);
      float[] qkv = new float[b * l * 3 * heads * d];
      for (int i = 0; i < qkv.length; i++) qkv[i] = (float) r.nextGaussian();
      float[] ext = new float[b * l];
      for (int i = 0; i < b; i++) for (int t = l - padded; t < l; t++) ext[i * l + t] = -10000f;
      return new Case(b, l, heads, d, qkv, ext);
    }

    int h() {
      return heads * d;
    }

    INDArray qkvArray() {
      return Nd4j.createFromArray(qkv).reshape(b * l, 3L * h());
    }

    /** Context row {@code row} as the definition gives it, dropout {@code keep} (null: none) applied. */
    double[] context(int row, byte[] keep, double p) {
      int h = h();
      int first = row / l * l;
      double[] out = new double[h];
      for (int n = 0; n < heads; n++) {
        double[] s = new double[l];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < l; t++) {
          double acc = 0;
          for (int j = 0; j < d; j++) {
            acc += (double) qkv[row * 3 * h + n * d + j] * qkv[(first + t) * 3 * h + h + n * d + j];
          }
          s[t] = acc / Math.sqrt(d) + ext[first + t];
          max = Math.max(max, s[t]);
        }
        double sum = 0;
        for (int t = 0; t < l; t++) sum += s[t] = Math.exp(s[t] - max);
        int block = row / l * heads + n;
        for (int t = 0; t < l; t++) {
          double prob = s[t] / sum;
          if (keep != null) prob *= keep[(block * l + row % l) * l + t] / (1 - p);
          for (int j = 0; j < d; j++) out[n * d + j] += prob * qkv[(first + t) * 3 * h + 2 * h + n * d + j];
        }
      }
      return out;
    }
  }

  static void assertRow(double[] expected, INDArray ctx, int row, String what) {
    for (int j = 0; j < expected.length; j++) {
      double got = ctx.getDouble(row, j);
      assertTrue(Math.abs(got - expected[j]) <= TOL * (1 + Math.abs(expected[j])),
          what + " row " + row + " column " + j + ": expected " + expected[j] + ", found " + got);
    }
  }

  @ParameterizedTest(name = "B={0} L={1} N={2} D={3} padded={4} dropout={5}")
  @CsvSource({
      "3, 9, 2, 4, 2, 0", // blockwise: 9*9*4 is far below OpenBLAS's single-thread limit
      "3, 9, 2, 4, 2, 0.3",
      "2, 64, 2, 64, 5, 0", // 64*64*64 = 262144: the largest blockwise size
      "2, 72, 2, 64, 5, 0", // 72*72*64 > 262144: products issued in sequence
      "2, 72, 2, 64, 5, 0.2"})
  void everyContextRowIsTheDefinitions(int b, int l, int heads, int d, int padded, double p) {
    Case c = Case.of(b, l, heads, d, padded);
    INDArray scores = Nd4j.create(DataType.FLOAT, b, heads, l, l);
    INDArray probs = Nd4j.create(DataType.FLOAT, b, heads, l, l);
    INDArray dropped = p > 0 ? Nd4j.create(DataType.FLOAT, b, heads, l, l) : null;
    byte[] keep = p > 0 ? new byte[b * heads * l * l] : null;
    INDArray ctx = Nd4j.create(DataType.FLOAT, b * l, c.h());
    AttentionKernels.attention(c.qkvArray(), c.ext(), b, l, heads, d, scores, probs, dropped, p, 7, 3, keep, ctx);
    for (int row = 0; row < b * l; row++) assertRow(c.context(row, keep, p), ctx, row, "attention");
    // Padded keys get probability 0 and every row sums to 1.
    INDArray rowSums = probs.sum(3);
    assertTrue(rowSums.sub(1).amaxNumber().doubleValue() < 1e-5, rowSums.toString());
    assertEquals(0.0, probs.getDouble(0, 0, 0, l - 1));
  }

  @ParameterizedTest(name = "B={0} L={1} N={2} D={3}")
  @CsvSource({"3, 9, 2, 4", "2, 72, 2, 64"})
  void chosenRowsAreThoseOfTheFullAttention(int b, int l, int heads, int d) {
    Case c = Case.of(b, l, heads, d, 3);
    int[] rows = {b * l - 1, 0, l + 2, 0};
    INDArray ctx = Nd4j.create(DataType.FLOAT, rows.length, c.h());
    AttentionKernels.attentionRows(c.qkvArray(), c.ext(), l, heads, d, rows, ctx);
    for (int i = 0; i < rows.length; i++) {
      double[] expected = c.context(rows[i], null, 0);
      for (int j = 0; j < expected.length; j++) {
        double got = ctx.getDouble(i, j);
        assertTrue(Math.abs(got - expected[j]) <= TOL * (1 + Math.abs(expected[j])),
            "row " + rows[i] + " column " + j + ": expected " + expected[j] + ", found " + got);
      }
    }
  }

  /**
   * d(qkv) for the loss sum(dctx * ctx) + sum(direct * scores), from the definition: dv = P'^T dctx, dP' = dctx v^T,
   * dP = dP' * keep / (1 - p), dS = P * (dP - rowsum(dP * P)) + direct, dq = dS k / sqrt(D), dk = dS^T q / sqrt(D).
   */
  static double[] gradient(Case c, float[] dctx, float[] direct, byte[] keep, double p) {
    int l = c.l();
    int d = c.d();
    int h = c.h();
    int h3 = 3 * h;
    float[] x = c.qkv();
    double[] out = new double[x.length];
    for (int blk = 0; blk < c.b() * c.heads(); blk++) {
      int first = blk / c.heads() * l;
      int col = blk % c.heads() * d;
      double[][] prob = new double[l][l];
      for (int f = 0; f < l; f++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < l; t++) {
          double acc = 0;
          for (int j = 0; j < d; j++) acc += (double) x[(first + f) * h3 + col + j] * x[(first + t) * h3 + h + col + j];
          prob[f][t] = acc / Math.sqrt(d) + c.ext()[first + t];
          max = Math.max(max, prob[f][t]);
        }
        double sum = 0;
        for (int t = 0; t < l; t++) sum += prob[f][t] = Math.exp(prob[f][t] - max);
        for (int t = 0; t < l; t++) prob[f][t] /= sum;
      }
      for (int f = 0; f < l; f++) {
        double[] dp = new double[l];
        double dot = 0;
        for (int t = 0; t < l; t++) {
          double m = keep == null ? 1 : keep[(blk * l + f) * l + t] / (1 - p);
          double dpt = 0;
          for (int j = 0; j < d; j++) {
            double g = dctx == null ? 0 : dctx[(first + f) * h + col + j];
            dpt += g * x[(first + t) * h3 + 2 * h + col + j];
            out[(first + t) * h3 + 2 * h + col + j] += prob[f][t] * m * g;
          }
          dp[t] = dpt * m;
          dot += dp[t] * prob[f][t];
        }
        for (int t = 0; t < l; t++) {
          double ds = prob[f][t] * (dp[t] - dot) + (direct == null ? 0 : direct[(blk * l + f) * l + t]);
          for (int j = 0; j < d; j++) {
            out[(first + f) * h3 + col + j] += ds * x[(first + t) * h3 + h + col + j] / Math.sqrt(d);
            out[(first + t) * h3 + h + col + j] += ds * x[(first + f) * h3 + col + j] / Math.sqrt(d);
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "B={0} L={1} N={2} D={3} dropout={4} context={5} direct={6}")
  @CsvSource({
      "3, 9, 2, 4, 0, true, false",
      "3, 9, 2, 4, 0.3, true, true",
      "3, 9, 2, 4, 0, false, true",
      "2, 72, 2, 64, 0, true, true",
      "2, 72, 2, 64, 0.2, true, false",
      "2, 72, 2, 64, 0, false, true"})
  void gradientIsTheDefinitions(int b, int l, int heads, int d, double p, boolean context, boolean direct) {
    Case c = Case.of(b, l, heads, d, 4);
    Random r = new Random(5);
    float[] dctx = null;
    if (context) {
      dctx = new float[b * l * c.h()];
      for (int i = 0; i < dctx.length; i++) dctx[i] = (float) r.nextGaussian();
    }
    float[] dscores = null;
    if (direct) {
      dscores = new float[b * heads * l * l];
      for (int i = 0; i < dscores.length; i++) dscores[i] = (float) r.nextGaussian();
    }
    INDArray qkv = c.qkvArray();
    INDArray scores = Nd4j.create(DataType.FLOAT, b, heads, l, l);
    INDArray probs = Nd4j.create(DataType.FLOAT, b, heads, l, l);
    INDArray dropped = p > 0 ? Nd4j.create(DataType.FLOAT, b, heads, l, l) : null;
    byte[] keep = p > 0 ? new byte[b * heads * l * l] : null;
    AttentionKernels.attention(qkv, c.ext(), b, l, heads, d, scores, probs, dropped, p, 7, 3, keep,
        Nd4j.create(DataType.FLOAT, b * l, c.h()));
    INDArray dqkv = Nd4j.create(DataType.FLOAT, b * l, 3L * c.h()).assign(Float.NaN);
    AttentionKernels.attentionBackward(qkv, probs, dropped, keep, p,
        dctx == null ? null : Nd4j.createFromArray(dctx).reshape(b * l, c.h()),
        dscores == null ? null : Nd4j.createFromArray(dscores).reshape(b, heads, l, l), b, l, heads, d,
        context ? Nd4j.create(DataType.FLOAT, b, heads, l, l) : null, dqkv);
    double[] expected = gradient(c, dctx, dscores, keep, p);
    float[] got = dqkv.data().asFloat();
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Math.abs(got[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])),
          "d(qkv) row " + i / (3 * c.h()) + " column " + i % (3 * c.h()) + ": expected " + expected[i] + ", found "
              + got[i]);
    }
  }
}
