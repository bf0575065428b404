package org.tinybert.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The building blocks of BERT with their backward passes, on 2-D row-major activations ([rows, features]).
 *
 * <p>Matrix products go to ND4J's BLAS. Row-wise kernels (LayerNorm, softmax backward, GELU backward) are written
 * here over the arrays' native buffers: BERT needs TF-style LayerNorm with eps inside the square root and ND4J's
 * LayerNorm op has no eps parameter; and one pass over a row costs less than the half-dozen broadcast ops the same math
 * takes in ND4J.
 */
public final class Kernels {
  private Kernels() {}

  static final double SQRT_HALF = Math.sqrt(0.5);
  static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

  /** y = x W^T + b, with torch's [out, in] weight layout. x: [R, in] -> [R, out]. */
  public static INDArray linear(INDArray x, INDArray w, INDArray b) {
    INDArray y = Nd4j.gemm(x, w, false, true);
    if (b != null) y.addiRowVector(b);
    return y;
  }

  /** Accumulates dW += dy^T x and db += sum(dy) into the given gradients (either may be null) and returns dx = dy W. */
  public static INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx) {
    if (dw != null) dw.addi(Nd4j.gemm(dy, x, true, false));
    if (db != null) db.addi(dy.sum(0));
    return needDx ? Nd4j.gemm(dy, w, false, false) : null;
  }

  /** What LayerNorm's backward needs: the normalised input and 1/sqrt(var + eps) per row. */
  public record LnCache(INDArray xhat, float[] rstd) {}

  /** TF-style LayerNorm over the last axis (biased variance, eps inside the square root). x: [R, H]. */
  public static INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, LnCache[] cacheOut) {
    x = contiguous(x);
    int rows = (int) x.size(0);
    int h = (int) x.size(1);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, rows, h);
    INDArray xhat = cacheOut != null ? Nd4j.createUninitialized(DataType.FLOAT, rows, h) : null;
    float[] rstd = new float[rows];
    FloatBuffer xb = buf(x);
    FloatBuffer yb = buf(y);
    FloatBuffer hb = xhat != null ? buf(xhat) : null;
    float[] g = gamma.toFloatVector();
    float[] bt = beta.toFloatVector();
    parallelRows(rows, r -> {
      int o = r * h;
      double mean = 0;
      for (int j = 0; j < h; j++) mean += xb.get(o + j);
      mean /= h;
      double var = 0;
      for (int j = 0; j < h; j++) {
        double d = xb.get(o + j) - mean;
        var += d * d;
      }
      var /= h;
      double rs = 1.0 / Math.sqrt(var + eps);
      rstd[r] = (float) rs;
      for (int j = 0; j < h; j++) {
        float n = (float) ((xb.get(o + j) - mean) * rs);
        if (hb != null) hb.put(o + j, n);
        yb.put(o + j, n * g[j] + bt[j]);
      }
    });
    if (cacheOut != null) cacheOut[0] = new LnCache(xhat, rstd);
    return y;
  }

  /** LayerNorm backward: accumulates dgamma, dbeta and returns dx. */
  public static INDArray layerNormBackward(INDArray dy, LnCache c, INDArray gamma, INDArray dgamma, INDArray dbeta) {
    dy = contiguous(dy);
    int rows = (int) dy.size(0);
    int h = (int) dy.size(1);
    INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, rows, h);
    FloatBuffer dyb = buf(dy);
    FloatBuffer xh = buf(c.xhat());
    FloatBuffer dxb = buf(dx);
    float[] g = gamma.toFloatVector();
    int threads = threads(rows);
    float[][] dg = new float[threads][h];
    float[][] db = new float[threads][h];
    int chunk = (rows + threads - 1) / threads;
    IntStream.range(0, threads).parallel().forEach(t -> {
      float[] dgt = dg[t];
      float[] dbt = db[t];
      for (int r = t * chunk; r < Math.min(rows, (t + 1) * chunk); r++) {
        int o = r * h;
        double sumD = 0;
        double sumDX = 0;
        for (int j = 0; j < h; j++) {
          float d = dyb.get(o + j);
          float xv = xh.get(o + j);
          dgt[j] += d * xv;
          dbt[j] += d;
          float dxh = d * g[j];
          sumD += dxh;
          sumDX += dxh * xv;
        }
        double rs = c.rstd()[r];
        double mD = sumD / h;
        double mDX = sumDX / h;
        for (int j = 0; j < h; j++) {
          double dxh = dyb.get(o + j) * g[j];
          dxb.put(o + j, (float) (rs * (dxh - mD - xh.get(o + j) * mDX)));
        }
      }
    });
    addPartials(dgamma, dg);
    addPartials(dbeta, db);
    return dx;
  }

  /** Exact (erf) GELU: x * Phi(x). Uses ND4J's erf, which is vectorised and parallel. */
  public static INDArray gelu(INDArray x) {
    INDArray e = x.mul(SQRT_HALF);
    Nd4j.getExecutioner().exec(new Erf(e, e));
    return e.addi(1.0).muli(x).muli(0.5);
  }

  /** d gelu(x)/dx * dy = (Phi(x) + x phi(x)) * dy, with Phi recovered from the forward output (gelu = x Phi). */
  public static INDArray geluBackward(INDArray dy, INDArray x) {
    INDArray e = x.mul(SQRT_HALF);
    Nd4j.getExecutioner().exec(new Erf(e, e));
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    FloatBuffer eb = buf(e);
    FloatBuffer xb = buf(contiguous(x));
    FloatBuffer db = buf(contiguous(dy));
    FloatBuffer ob = buf(out);
    int n = (int) x.length();
    parallelRange(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        double xv = xb.get(i);
        double phiCdf = 0.5 * (1.0 + eb.get(i));
        double pdf = INV_SQRT_2PI * Math.exp(-0.5 * xv * xv);
        ob.put(i, (float) (db.get(i) * (phiCdf + xv * pdf)));
      }
    });
    return out;
  }

  /** Softmax over the last axis of a contiguous array. */
  public static INDArray softmaxLastAxis(INDArray x) {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    Nd4j.getExecutioner().exec(new SoftMax(x, out, x.rank() - 1));
    return out;
  }

  /** Softmax backward over the last axis: dx = p * (dp - sum(dp * p)). */
  public static INDArray softmaxBackward(INDArray dp, INDArray p) {
    dp = contiguous(dp);
    int cols = (int) p.size(p.rank() - 1);
    int rows = (int) (p.length() / cols);
    INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, p.shape());
    FloatBuffer pb = buf(p);
    FloatBuffer db = buf(dp);
    FloatBuffer ob = buf(dx);
    parallelRows(rows, r -> {
      int o = r * cols;
      double dot = 0;
      for (int j = 0; j < cols; j++) dot += db.get(o + j) * pb.get(o + j);
      float d = (float) dot;
      for (int j = 0; j < cols; j++) ob.put(o + j, pb.get(o + j) * (db.get(o + j) - d));
    });
    return dx;
  }

  /** x[b, n, f, t] += ext[b, t]: the additive attention mask. */
  public static void addMask(INDArray scores, INDArray ext) {
    Nd4j.getExecutioner().exec(new BroadcastAddOp(scores, ext, scores, 0, 3));
  }

  /** rows of {@code table} at {@code ids}: [ids.length, H]. */
  public static INDArray gatherRows(INDArray table, int[] ids) {
    return table.getRows(ids);
  }

  /** dst[ids[r], :] += src[r, :] for every r with ids[r] != skipId (the [PAD] row gets no gradient). */
  public static void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId) {
    src = contiguous(src);
    int h = (int) src.size(1);
    FloatBuffer s = buf(src);
    FloatBuffer d = buf(dst);
    for (int r = 0; r < ids.length; r++) {
      int id = ids[r];
      if (id == skipId) continue;
      int so = r * h;
      int dof = id * h;
      for (int j = 0; j < h; j++) d.put(dof + j, d.get(dof + j) + s.get(so + j));
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  public static INDArray contiguous(INDArray a) {
    if (a.ordering() == 'c' && !a.isView() && a.length() == a.data().length()) return a;
    return a.dup('c');
  }

  /** The array's own float buffer, positioned at its first element (the array must be contiguous 'c'). */
  public static FloatBuffer buf(INDArray a) {
    if (a.ordering() != 'c' || a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("kernel needs a contiguous float 'c' array, found " + a.ordering() + " "
          + a.dataType());
    }
    // ND4J's NIO views default to big-endian; native order keeps every access a plain load.
    FloatBuffer fb = a.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    int off = (int) a.offset();
    fb.position(off);
    return fb.slice();
  }

  static int threads(int rows) {
    return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), rows / 64));
  }

  interface RowBody {
    void row(int r);
  }

  interface RangeBody {
    void range(int from, int to);
  }

  static void parallelRows(int rows, RowBody body) {
    parallelRange(rows, 64, (from, to) -> {
      for (int r = from; r < to; r++) body.row(r);
    });
  }

  static void parallelRange(int n, RangeBody body) {
    parallelRange(n, 4096, body);
  }

  /** Splits [0, n) over the cores when each part gets at least {@code minPerThread} items. */
  static void parallelRange(int n, int minPerThread, RangeBody body) {
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / minPerThread));
    if (threads == 1) {
      body.range(0, n);
      return;
    }
    int chunk = (n + threads - 1) / threads;
    IntStream.range(0, threads).parallel().forEach(t -> body.range(t * chunk, Math.min(n, (t + 1) * chunk)));
  }

  private static void addPartials(INDArray target, float[][] partials) {
    if (target == null) return;
    float[] sum = new float[partials[0].length];
    for (float[] p : partials) for (int j = 0; j < sum.length; j++) sum[j] += p[j];
    target.addi(Nd4j.createFromArray(sum).reshape(target.shape()));
  }
}
