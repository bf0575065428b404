package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.addTo;
import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.contiguous;
import static org.tinybert.model.cpu.KernelSupport.parallelRange;
import static org.tinybert.model.cpu.KernelSupport.sumPartials;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.Engine;

/**
 * TF-style LayerNorm (biased variance, eps inside the square root; ND4J's own LayerNorm has no eps) and its backward
 * pass, one fused row kernel each: a dense layer's bias and the residual branch are added as the rows are read.
 */
final class LayerNormKernels {
  private LayerNormKernels() {}

  /** What LayerNorm's backward needs: the normalised input and 1/sqrt(var + eps) per row. */
  record LnCache(INDArray xhat, float[] rstd) implements Engine.NormCache {
    @Override
    public void release() {
      ArrayPool.local().give(xhat);
    }
  }

  /** TF-style LayerNorm over the last axis (biased variance, eps inside the square root). x: [R, H], a new output. */
  static INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, LnCache[] cacheOut) {
    x = contiguous(x);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    LnCache c = null;
    if (cacheOut != null) {
      c = new LnCache(Nd4j.createUninitialized(DataType.FLOAT, x.shape()), new float[(int) x.size(0)]);
      cacheOut[0] = c;
    }
    layerNorm(x, gamma, beta, eps, y, c);
    return y;
  }

  /** y = LayerNorm(x) into {@code y} (which may be x); fills {@code cache} when given. */
  static void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, LnCache cache) {
    layerNorm(x, null, null, gamma, beta, eps, y, cache);
  }

  /**
   * y = LayerNorm(x + bias + residual) into {@code y} (which may be x): a dense layer's bias and the residual branch
   * are added as the rows are read (either may be null). Fills {@code cache} when given.
   */
  static void layerNorm(INDArray x, INDArray bias, INDArray residual, INDArray gamma, INDArray beta, double eps,
      INDArray y, LnCache cache) {
    int rows = (int) x.size(0);
    int h = (int) x.size(1);
    FloatBuffer xb = buf(x);
    FloatBuffer yb = buf(y);
    FloatBuffer rb = residual != null ? buf(residual) : null;
    FloatBuffer hb = cache != null ? buf(cache.xhat()) : null;
    float[] rstd = cache != null ? cache.rstd() : null;
    float[] g = gamma.toFloatVector();
    float[] bt = beta.toFloatVector();
    float[] bias0 = bias != null ? bias.toFloatVector() : null;
    parallelRange(rows, 32, (from, to) -> {
      float[] row = new float[h];
      float[] res = new float[h];
      for (int r = from; r < to; r++) {
        xb.get(r * h, row, 0, h);
        if (rb != null) {
          rb.get(r * h, res, 0, h);
          for (int j = 0; j < h; j++) row[j] += res[j];
        }
        if (bias0 != null) for (int j = 0; j < h; j++) row[j] += bias0[j];
        // Two passes (no cancellation in the variance); float partial sums, see FloatMath.sum.
        float mean = FloatMath.sum(row, 0, h) / h;
        for (int j = 0; j < h; j++) res[j] = row[j] - mean;
        double rs = 1.0 / Math.sqrt((double) FloatMath.dot(res, res, 0, h) / h + eps);
        float sc = (float) rs;
        if (rstd != null) rstd[r] = sc;
        for (int j = 0; j < h; j++) row[j] = res[j] * sc;
        if (hb != null) hb.put(r * h, row, 0, h);
        for (int j = 0; j < h; j++) row[j] = row[j] * g[j] + bt[j];
        yb.put(r * h, row, 0, h);
      }
    });
  }

  /**
   * LayerNorm backward into {@code dx} (which may be dy): accumulates dgamma and dbeta (either may be null) and writes
   * dx, or adds it to dx's contents when {@code accumulate} (a residual branch's gradient already there).
   */
  static void layerNormBackward(INDArray dy, LnCache c, INDArray gamma, INDArray dgamma, INDArray dbeta,
      INDArray dx, boolean accumulate) {
    int rows = (int) dy.size(0);
    int h = (int) dy.size(1);
    FloatBuffer dyb = buf(dy);
    FloatBuffer xh = buf(c.xhat());
    FloatBuffer dxb = buf(dx);
    float[] g = gamma.toFloatVector();
    float[] rstd = c.rstd();
    float[] sums = sumPartials(rows, 2 * h, (from, to, acc) -> {
      float[] d = new float[h];
      float[] xv = new float[h];
      float[] t = new float[h];
      float[] out = new float[h];
      for (int r = from; r < to; r++) {
        dyb.get(r * h, d, 0, h);
        xh.get(r * h, xv, 0, h);
        for (int j = 0; j < h; j++) {
          acc[j] += d[j] * xv[j];
          acc[h + j] += d[j];
          t[j] = d[j] * g[j];
        }
        float mD = FloatMath.sum(t, 0, h) / h;
        float mDX = FloatMath.dot(t, xv, 0, h) / h;
        float rs = rstd[r];
        if (accumulate) {
          dxb.get(r * h, out, 0, h);
          for (int j = 0; j < h; j++) out[j] += rs * (t[j] - mD - xv[j] * mDX);
        } else {
          for (int j = 0; j < h; j++) out[j] = rs * (t[j] - mD - xv[j] * mDX);
        }
        dxb.put(r * h, out, 0, h);
      }
    });
    if (dgamma != null) addTo(dgamma, java.util.Arrays.copyOfRange(sums, 0, h));
    if (dbeta != null) addTo(dbeta, java.util.Arrays.copyOfRange(sums, h, 2 * h));
  }
}
