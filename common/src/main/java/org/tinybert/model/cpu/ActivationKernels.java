package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.elementwise;
import static org.tinybert.model.cpu.KernelSupport.rowwise;
import static org.tinybert.model.cpu.KernelSupport.sameData;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU (exact, erf) and ReLU with their backward passes, element-wise over chunks of the arrays' buffers; the forward
 * kernels add a dense layer's bias in the same pass. erf and exp are {@link FloatMath}'s (C2 turns them into SIMD).
 */
final class ActivationKernels {
  private ActivationKernels() {}

  static final float SQRT_HALF = (float) Math.sqrt(0.5);
  static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2 * Math.PI));

  /** y = gelu(x) = 0.5 x (1 + erf(x / sqrt 2)); y may be x. */
  static void gelu(INDArray x, INDArray y) {
    gelu(x, null, y);
  }

  /**
   * y = gelu(x + bias) for x [R, I] and a bias [I] (may be null); when y is not x, x is left holding x + bias (the
   * pre-activation backward needs).
   */
  static void gelu(INDArray x, INDArray bias, INDArray y) {
    FloatBuffer xb = buf(x);
    FloatBuffer yb = buf(y);
    float[] bv = bias != null ? bias.toFloatVector() : null;
    boolean keepPre = bv != null && !sameData(x, y);
    rowwise(x, (from, n, col, a, b, work) -> {
      xb.get(from, a, 0, n);
      if (bv != null) {
        for (int i = 0; i < n; i++) a[i] += bv[col + i];
        if (keepPre) xb.put(from, a, 0, n);
      }
      FloatMath.erf(a, SQRT_HALF, b, n);
      for (int i = 0; i < n; i++) b[i] = 0.5f * a[i] * (1f + b[i]);
      yb.put(from, b, 0, n);
    });
  }

  /** out = (Phi(x) + x phi(x)) * dy; out may be dy. */
  static void geluBackward(INDArray dy, INDArray x, INDArray out) {
    FloatBuffer xb = buf(x);
    FloatBuffer db = buf(dy);
    FloatBuffer ob = buf(out);
    elementwise((int) x.length(), (from, n, a, b, work) -> {
      xb.get(from, a, 0, n);
      float[] pdf = work[0];
      for (int i = 0; i < n; i++) pdf[i] = -0.5f * a[i] * a[i];
      FloatMath.exp(pdf, pdf, work[1], n);
      FloatMath.erf(a, SQRT_HALF, b, n);
      for (int i = 0; i < n; i++) b[i] = 0.5f + 0.5f * b[i] + a[i] * INV_SQRT_2PI * pdf[i];
      db.get(from, a, 0, n);
      for (int i = 0; i < n; i++) b[i] *= a[i];
      ob.put(from, b, 0, n);
    });
  }

  /** y = max(x + bias, 0) as {@link #gelu(INDArray, INDArray, INDArray)} does it; bias may be null, y may be x. */
  static void relu(INDArray x, INDArray bias, INDArray y) {
    FloatBuffer xb = buf(x);
    FloatBuffer yb = buf(y);
    float[] bv = bias != null ? bias.toFloatVector() : null;
    boolean keepPre = bv != null && !sameData(x, y);
    rowwise(x, (from, n, col, a, b, work) -> {
      xb.get(from, a, 0, n);
      if (bv != null) {
        for (int i = 0; i < n; i++) a[i] += bv[col + i];
        if (keepPre) xb.put(from, a, 0, n);
      }
      for (int i = 0; i < n; i++) a[i] = Math.max(a[i], 0f);
      yb.put(from, a, 0, n);
    });
  }

  /** out = dy where x > 0, else 0; out may be dy. */
  static void reluBackward(INDArray dy, INDArray x, INDArray out) {
    FloatBuffer xb = buf(x);
    FloatBuffer db = buf(dy);
    FloatBuffer ob = buf(out);
    elementwise((int) x.length(), (from, n, a, b, work) -> {
      xb.get(from, a, 0, n);
      db.get(from, b, 0, n);
      for (int i = 0; i < n; i++) b[i] = a[i] > 0f ? b[i] : 0f;
      ob.put(from, b, 0, n);
    });
  }
}
