package org.tinybert.model.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major float GEMM, {@code C = alpha op(A) op(B) + beta C}, straight on the native buffers of ND4J arrays through
 * the OpenBLAS that ND4J itself calls (its {@code CpuLevel3} makes this very call).
 *
 * <p>Why not {@code Nd4j.gemm}: it takes whole arrays only, so BERT's per-head attention blocks (a [L, D] block with
 * row stride 3H inside the fused [R, 3H] query/key/value projection) would first be permuted and copied, and it cannot
 * accumulate into an existing array ({@code beta = 1}), which the backward pass uses to add weight gradients in place.
 * Offsets and leading dimensions are in elements; the arrays must be contiguous float 'c' arrays.
 *
 * <p>Call it from one thread at a time per process where speed matters: OpenBLAS (0.3.19, pthreads) threads each
 * call itself, and concurrent calls from several threads were 15 times slower than the same calls in sequence.
 */
public final class Gemm {
  private Gemm() {}

  /**
   * {@code C[cOff..] = alpha * op(A[aOff..]) * op(B[bOff..]) + beta * C[cOff..]} with op(A) [m, k], op(B) [k, n] and
   * C [m, n]; {@code lda}, {@code ldb}, {@code ldc} are the row strides of A, B and C as stored.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      INDArray a, long aOff, int lda, INDArray b, long bOff, int ldb, float beta, INDArray c, long cOff, int ldc) {
    check("A", a, aOff, transA ? k : m, transA ? m : k, lda);
    check("B", b, bOff, transB ? n : k, transB ? k : n, ldb);
    check("C", c, cOff, m, n, ldc);
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
        transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        m, n, k, alpha, pointer(a, aOff), lda, pointer(b, bOff), ldb, beta, pointer(c, cOff), ldc);
  }

  /** {@code C = alpha op(A) op(B) + beta C} on whole 2-D arrays. */
  public static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, float alpha, float beta) {
    int m = (int) (transA ? a.size(1) : a.size(0));
    int k = (int) (transA ? a.size(0) : a.size(1));
    int n = (int) (transB ? b.size(0) : b.size(1));
    int kb = (int) (transB ? b.size(1) : b.size(0));
    if (k != kb || c.size(0) != m || c.size(1) != n) {
      throw new IllegalArgumentException("gemm shapes do not fit: op(A) [" + m + ", " + k + "], op(B) [" + kb + ", " + n
          + "], C " + java.util.Arrays.toString(c.shape()));
    }
    gemm(transA, transB, m, n, k, alpha, a, 0, (int) a.size(1), b, 0, (int) b.size(1), beta, c, 0, (int) c.size(1));
  }

  private static FloatPointer pointer(INDArray a, long off) {
    // A view's buffer already points at the view's first element; the array's offset counts from the original's.
    FloatPointer base = (FloatPointer) a.data().addressPointer();
    FloatPointer p = new FloatPointer(base);
    p.position(base.position() + a.offset() - a.data().offset() + off);
    return p;
  }

  /** Guards the native call: a block that does not fit its array would read or write outside it. */
  private static void check(String what, INDArray x, long off, int rows, int cols, int ld) {
    if (x.dataType() != DataType.FLOAT || x.ordering() != 'c' || !KernelSupport.isContiguous(x)) {
      throw new IllegalArgumentException("gemm " + what + " must be a contiguous float 'c' array, found "
          + x.dataType() + " '" + x.ordering() + "' " + java.util.Arrays.toString(x.shape()));
    }
    if (rows < 0 || cols < 0 || ld < Math.max(1, cols) || off < 0
        || (rows > 0 && cols > 0 && off + (long) (rows - 1) * ld + cols > x.length())) {
      throw new IllegalArgumentException("gemm " + what + " block [" + rows + ", " + cols + "] with row stride " + ld
          + " at offset " + off + " does not fit an array of " + x.length() + " elements");
    }
  }
}
