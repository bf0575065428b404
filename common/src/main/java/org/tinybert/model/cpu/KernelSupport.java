package org.tinybert.model.cpu;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the CPU kernels share: the arrays' native float buffers (the arrays must be dense row-major float32) and the
 * splitting of rows or chunks over the cores. Each row or chunk is copied into a Java array, transformed in one go and
 * copied back: done with ND4J ops, the same math is a chain of separate passes over memory with an allocation each
 * (GELU alone was five ops, ~0.2 s per call at BERT-base's size), and Java arrays let the JIT compile the arithmetic
 * to SIMD ({@link FloatMath}).
 */
final class KernelSupport {
  private KernelSupport() {}

  /** Elements per chunk of element-wise kernels: small enough to stay in the L1/L2 cache. */
  private static final int CHUNK = 2048;

  /** Whether {@code a} is laid out as a dense row-major block (possibly at an offset into a larger buffer). */
  static boolean isContiguous(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  /** {@code a} itself when it is a dense row-major float array, else a copy that is. */
  static INDArray contiguous(INDArray a) {
    if (a.dataType() == DataType.FLOAT && isContiguous(a)) return a;
    return a.castTo(DataType.FLOAT).dup('c');
  }

  /** The array's own float buffer, positioned at its first element (the array must be dense row-major float). */
  static FloatBuffer buf(INDArray a) {
    if (a.dataType() != DataType.FLOAT || !isContiguous(a)) {
      throw new IllegalArgumentException("kernel needs a dense row-major float array, found " + a.dataType() + " "
          + java.util.Arrays.toString(a.shape()) + " strides " + java.util.Arrays.toString(a.stride()));
    }
    // ND4J's NIO views default to big-endian; native order keeps every access a plain load.
    FloatBuffer fb = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    fb.position((int) a.offset());
    return fb.slice();
  }

  /** Adds {@code values} to the (dense) target element-wise. */
  static void addTo(INDArray target, float[] values) {
    FloatBuffer t = buf(target);
    float[] c = new float[values.length];
    t.get(0, c, 0, c.length);
    for (int j = 0; j < c.length; j++) c[j] += values[j];
    t.put(0, c, 0, c.length);
  }

  interface RangeBody {
    void range(int from, int to);
  }

  interface PartialBody {
    void range(int from, int to, float[] acc);
  }

  interface ChunkBody {
    /** Elements [from, from + n); a and b are scratch of CHUNK floats, work two more. */
    void chunk(int from, int n, float[] a, float[] b, float[][] work);
  }

  interface RowChunkBody {
    /** Elements [from, from + n) of one row, starting at column col; scratch as for {@link ChunkBody}. */
    void chunk(int from, int n, int col, float[] a, float[] b, float[][] work);
  }

  /** Splits [0, n) into chunks of {@link #CHUNK} elements, spread over the cores. */
  static void elementwise(int n, ChunkBody body) {
    parallelRange(n, 4 * CHUNK, (from, to) -> {
      float[] a = new float[CHUNK];
      float[] b = new float[CHUNK];
      float[][] work = {new float[CHUNK], new float[CHUNK]};
      for (int i = from; i < to; i += CHUNK) body.chunk(i, Math.min(CHUNK, to - i), a, b, work);
    });
  }

  /** Like {@link #elementwise} over a 2-D array, with chunks that never cross a row (so a per-column bias lines up). */
  static void rowwise(INDArray x, RowChunkBody body) {
    int rows = (int) x.size(0);
    int cols = (int) (x.length() / rows);
    parallelRange(rows, Math.max(1, 4 * CHUNK / cols), (from, to) -> {
      float[] a = new float[CHUNK];
      float[] b = new float[CHUNK];
      float[][] work = {new float[CHUNK], new float[CHUNK]};
      for (int r = from; r < to; r++) {
        for (int c = 0; c < cols; c += CHUNK) body.chunk(r * cols + c, Math.min(CHUNK, cols - c), c, a, b, work);
      }
    });
  }

  static boolean sameData(INDArray a, INDArray b) {
    return a == b || (a.data() == b.data() && a.offset() == b.offset());
  }

  /** Sums per-thread partial vectors of {@code width} floats, each accumulated by body over its rows. */
  static float[] sumPartials(int rows, int width, PartialBody body) {
    int threads = threads(rows, 64);
    float[][] partial = new float[threads][width];
    int chunk = (rows + threads - 1) / threads;
    if (threads == 1) {
      body.range(0, rows, partial[0]);
    } else {
      IntStream.range(0, threads).parallel()
          .forEach(t -> body.range(t * chunk, Math.min(rows, (t + 1) * chunk), partial[t]));
    }
    float[] sum = partial[0];
    for (int t = 1; t < threads; t++) for (int j = 0; j < width; j++) sum[j] += partial[t][j];
    return sum;
  }

  static int threads(int n, int minPerThread) {
    return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / minPerThread));
  }

  /** Splits [0, n) over the cores when each part gets at least {@code minPerThread} items. */
  static void parallelRange(int n, int minPerThread, RangeBody body) {
    int threads = threads(n, minPerThread);
    if (threads == 1) {
      body.range(0, n);
      return;
    }
    int chunk = (n + threads - 1) / threads;
    IntStream.range(0, threads).parallel().forEach(t -> body.range(t * chunk, Math.min(n, (t + 1) * chunk)));
  }

  /** out[r, col:col+n] = bias (+ residual[r, :]) for every row. */
  static void fillRows(INDArray out, int col, int n, float[] bias, INDArray residual) {
    int rows = (int) out.size(0);
    int ld = (int) out.size(1);
    FloatBuffer ob = buf(out);
    FloatBuffer rb = residual == null ? null : buf(residual);
    float[] zero = bias == null ? new float[n] : bias;
    parallelRange(rows, 64, (from, to) -> {
      float[] row = new float[n];
      for (int r = from; r < to; r++) {
        if (rb == null) {
          ob.put(r * ld + col, zero, 0, n);
        } else {
          rb.get(r * n, row, 0, n);
          for (int j = 0; j < n; j++) row[j] += zero[j];
          ob.put(r * ld + col, row, 0, n);
        }
      }
    });
  }
}
