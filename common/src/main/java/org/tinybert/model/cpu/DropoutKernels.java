package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.elementwise;
import static org.tinybert.model.cpu.KernelSupport.parallelRange;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.core.Dropout;

/**
 * Training dropout in place, row by row, with {@link Dropout#draw}'s counter-based masks (a dense layer's bias added in
 * the same pass), and its backward pass.
 */
final class DropoutKernels {
  private DropoutKernels() {}

  /**
   * x = (x + bias) * keep / (1 - p) in place, row by row (bias may be null): a dense layer's bias and its dropout in one
   * pass. Returns the keep mask ([R * H], 1 kept, 0 dropped) that {@link #dropoutBackward} needs; the decisions of row
   * r are {@link Dropout#draw}'s for (seed, site, r).
   */
  static byte[] dropout(INDArray x, INDArray bias, double p, long seed, long site) {
    int rows = (int) x.size(0);
    int h = (int) x.size(1);
    byte[] keep = new byte[rows * h];
    FloatBuffer xb = buf(x);
    float[] bv = bias != null ? bias.toFloatVector() : null;
    float scale = Dropout.scale(p);
    parallelRange(rows, 32, (from, to) -> {
      float[] row = new float[h];
      for (int r = from; r < to; r++) {
        Dropout.draw(keep, r * h, h, p, seed, site, r);
        xb.get(r * h, row, 0, h);
        if (bv != null) for (int j = 0; j < h; j++) row[j] += bv[j];
        for (int j = 0; j < h; j++) row[j] *= keep[r * h + j] * scale;
        xb.put(r * h, row, 0, h);
      }
    });
    return keep;
  }

  /** out = dy * keep / (1 - p), the backward of {@link #dropout}; out may be dy. */
  static void dropoutBackward(INDArray dy, byte[] keep, double p, INDArray out) {
    FloatBuffer db = buf(dy);
    FloatBuffer ob = buf(out);
    float scale = Dropout.scale(p);
    elementwise((int) dy.length(), (from, n, a, b, work) -> {
      db.get(from, a, 0, n);
      for (int i = 0; i < n; i++) a[i] *= keep[from + i] * scale;
      ob.put(from, a, 0, n);
    });
  }
}
