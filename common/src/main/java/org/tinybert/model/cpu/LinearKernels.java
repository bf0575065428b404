package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.addTo;
import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.contiguous;
import static org.tinybert.model.cpu.KernelSupport.fillRows;
import static org.tinybert.model.cpu.KernelSupport.sumPartials;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Linear layers ({@code y = x W^T + b}, torch's [out, in] weight layout) and their backward passes on row-major
 * activations: the products go to OpenBLAS ({@link Gemm}), bias and residual rows are written before the product
 * accumulates onto them, column sums run over the cores.
 */
final class LinearKernels {
  private LinearKernels() {}

  /** y = x W^T + b, with torch's [out, in] weight layout. x: [R, in] -> a new [R, out]. */
  static INDArray linear(INDArray x, INDArray w, INDArray b) {
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), w.size(0));
    linearInto(x, w, b, null, y, 0);
    return y;
  }

  /**
   * {@code out[:, col:col+out] = x W^T + b (+ residual)}: the bias (and residual) rows are written first and the product
   * is accumulated onto them by the GEMM. {@code out} may be wider than W's output (the fused query/key/value
   * projection writes three column blocks of one [R, 3H] array); b and residual ([R, out]) may be null, and with
   * neither the GEMM just writes (the layers add theirs in the next row kernel, saving a pass over memory).
   */
  static void linearInto(INDArray x, INDArray w, INDArray b, INDArray residual, INDArray out, int col) {
    x = contiguous(x);
    w = contiguous(w);
    int rows = (int) x.size(0);
    int in = (int) x.size(1);
    int outF = (int) w.size(0);
    int ld = (int) out.size(1);
    boolean add = b != null || residual != null;
    if (add) fillRows(out, col, outF, b == null ? null : b.toFloatVector(), residual);
    Gemm.gemm(false, true, rows, outF, in, 1f, x, 0, in, w, 0, in, add ? 1f : 0f, out, col, ld);
  }

  /**
   * Backward of {@code y = x W^T + b} for the column block {@code [col, col+out)} of {@code dy}: adds dW += dy^T x and
   * db += sum(dy) into the gradients (either may be null) and writes dx = dy W into {@code dx} (null: skipped), or adds
   * it to dx's contents when {@code accumulate}.
   */
  static void linearBackwardInto(INDArray dy, int col, INDArray x, INDArray w, INDArray dw, INDArray db,
      INDArray dx, boolean accumulate) {
    int rows = (int) dy.size(0);
    int ld = (int) dy.size(1);
    int outF = (int) w.size(0);
    int in = (int) w.size(1);
    if (dw != null) Gemm.gemm(true, false, outF, in, rows, 1f, dy, col, ld, x, 0, in, 1f, dw, 0, in);
    if (db != null) addColumnSums(dy, col, outF, db);
    if (dx != null) Gemm.gemm(false, false, rows, in, outF, 1f, dy, col, ld, w, 0, in, accumulate ? 1f : 0f, dx, 0, in);
  }

  /** Accumulates dW += dy^T x and db += sum(dy) into the given gradients (either may be null) and returns dx = dy W. */
  static INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx) {
    INDArray dx = needDx ? Nd4j.createUninitialized(DataType.FLOAT, dy.size(0), w.size(1)) : null;
    linearBackwardInto(contiguous(dy), 0, contiguous(x), contiguous(w), dw, db, dx, false);
    return dx;
  }

  /** target[j] += sum over rows of dy[r, col + j], j in [0, n). */
  static void addColumnSums(INDArray dy, int col, int n, INDArray target) {
    int rows = (int) dy.size(0);
    int ld = (int) dy.size(1);
    FloatBuffer b = buf(dy);
    float[] sum = sumPartials(rows, n, (from, to, acc) -> {
      float[] row = new float[n];
      for (int r = from; r < to; r++) {
        b.get(r * ld + col, row, 0, n);
        for (int j = 0; j < n; j++) acc[j] += row[j];
      }
    });
    addTo(target, sum);
  }
}
