package org.tinybert.model;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The building blocks of BERT with their backward passes, on row-major activations ([rows, features]).
 *
 * <p>Matrix products go to OpenBLAS ({@link Gemm}). Everything else is written here as fused row kernels over the
 * arrays' native buffers: each row is copied into a Java array, transformed in one go (bias, residual, LayerNorm,
 * GELU, mask and softmax) and copied back, with the rows split over the cores. Why: done with ND4J ops, the same math
 * is a chain of separate passes over memory with an allocation each (GELU alone was five ops, ~0.2 s per call at
 * BERT-base's size), ND4J's LayerNorm has no eps parameter (BERT puts eps inside the square root), and Java arrays
 * let the JIT compile the arithmetic to SIMD ({@link FloatMath}).
 */
public final class Kernels {
  private Kernels() {}

  static final float SQRT_HALF = (float) Math.sqrt(0.5);
  static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2 * Math.PI));
  /** Elements per chunk of element-wise kernels: small enough to stay in the L1/L2 cache. */
  private static final int CHUNK = 2048;

  // ============================================================================================== linear layers

  /** y = x W^T + b, with torch's [out, in] weight layout. x: [R, in] -> a new [R, out]. */
  public static INDArray linear(INDArray x, INDArray w, INDArray b) {
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
  public static void linearInto(INDArray x, INDArray w, INDArray b, INDArray residual, INDArray out, int col) {
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

  /**
   * Backward of {@code y = x W^T + b} for the column block {@code [col, col+out)} of {@code dy}: adds dW += dy^T x and
   * db += sum(dy) into the gradients (either may be null) and writes dx = dy W into {@code dx} (null: skipped), or adds
   * it to dx's contents when {@code accumulate}.
   */
  public static void linearBackwardInto(INDArray dy, int col, INDArray x, INDArray w, INDArray dw, INDArray db,
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
  public static INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx) {
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

  // ============================================================================================== LayerNorm

  /** What LayerNorm's backward needs: the normalised input and 1/sqrt(var + eps) per row. */
  public record LnCache(INDArray xhat, float[] rstd) {}

  /** TF-style LayerNorm over the last axis (biased variance, eps inside the square root). x: [R, H], a new output. */
  public static INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, LnCache[] cacheOut) {
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
  public static void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, LnCache cache) {
    layerNorm(x, null, null, gamma, beta, eps, y, cache);
  }

  /**
   * y = LayerNorm(x + bias + residual) into {@code y} (which may be x): a dense layer's bias and the residual branch
   * are added as the rows are read (either may be null). Fills {@code cache} when given.
   */
  public static void layerNorm(INDArray x, INDArray bias, INDArray residual, INDArray gamma, INDArray beta, double eps,
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
  public static void layerNormBackward(INDArray dy, LnCache c, INDArray gamma, INDArray dgamma, INDArray dbeta,
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

  // ============================================================================================== activations

  /** y = gelu(x) = 0.5 x (1 + erf(x / sqrt 2)); y may be x. */
  public static void gelu(INDArray x, INDArray y) {
    gelu(x, null, y);
  }

  /**
   * y = gelu(x + bias) for x [R, I] and a bias [I] (may be null); when y is not x, x is left holding x + bias (the
   * pre-activation backward needs).
   */
  public static void gelu(INDArray x, INDArray bias, INDArray y) {
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
  public static void geluBackward(INDArray dy, INDArray x, INDArray out) {
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
  public static void relu(INDArray x, INDArray bias, INDArray y) {
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
  public static void reluBackward(INDArray dy, INDArray x, INDArray out) {
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

  // ============================================================================================== dropout

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

  // ============================================================================================== attention

  /**
   * Self-attention of one layer from the fused projection {@code qkv} [B*L, 3H] (query, key, value side by side in
   * each row): scores [B, N, L, L] = q k^T / sqrt(D) + ext (the additive mask, [B*L] flat), probs = softmax(scores),
   * ctx [B*L, H] = probs v with the heads written side by side. Each head's blocks are read in place through the
   * GEMM's row strides: no permuted copies. The GEMMs run one after the other (OpenBLAS threads each one; see
   * {@link Gemm}), the softmax over all heads at once on the cores.
   */
  public static void attention(INDArray qkv, float[] ext, int b, int l, int heads, int d, INDArray scores,
      INDArray probs, INDArray ctx) {
    attention(qkv, ext, b, l, heads, d, scores, probs, null, 0, 0, 0, null, ctx);
  }

  /**
   * {@link #attention} with dropout on the probabilities: {@code probs} keeps the softmax (for backward), {@code dropped}
   * receives probs * keep / (1 - p) and ctx = dropped v. Head block i's decisions are {@link Dropout#draw}'s for
   * (seed, site, i), written into {@code keep} ([B*N*L*L]). With p = 0, dropped and keep are unused (may be null).
   */
  static void attention(INDArray qkv, float[] ext, int b, int l, int heads, int d, INDArray scores, INDArray probs,
      INDArray dropped, double dropP, long seed, long site, byte[] keep, INDArray ctx) {
    int h = heads * d;
    int h3 = 3 * h;
    float scale = (float) (1.0 / Math.sqrt(d));
    long ll = (long) l * l;
    FloatBuffer sb = buf(scores);
    FloatBuffer pb = buf(probs);
    boolean drop = dropP > 0;
    FloatBuffer db = drop ? buf(dropped) : null;
    float dropScale = Dropout.scale(dropP);
    INDArray used = drop ? dropped : probs;
    // Head block i: its scores, their softmax (and dropout), its context.
    BlockStep scoresOf = i -> Gemm.gemm(false, true, l, l, d, scale, qkv, (long) (i / heads) * l * h3 + i % heads * d,
        h3, qkv, (long) (i / heads) * l * h3 + h + i % heads * d, h3, 0f, scores, i * ll, l);
    BlockStep contextOf = i -> Gemm.gemm(false, false, l, d, l, 1f, used, i * ll, l, qkv,
        (long) (i / heads) * l * h3 + 2L * h + i % heads * d, h3, 0f, ctx, (long) (i / heads) * l * h + i % heads * d,
        h);
    // The softmax (and dropout) of block i, with scratch s, e and work of L*L floats.
    SoftmaxStep softmaxOf = (i, s, e, work) -> {
      int off = (int) (i * ll);
      maskedSoftmax(sb, pb, off, ext, i / heads * l, l, s, e, work);
      if (drop) {
        Dropout.draw(keep, off, (int) ll, dropP, seed, site, i);
        for (int j = 0; j < ll; j++) e[j] *= keep[off + j] * dropScale;
        db.put(off, e, 0, (int) ll);
      }
    };
    // OpenBLAS runs products this small on the calling thread alone, so issued one after another they leave the other
    // cores idle: then whole blocks are spread over the cores (each thread's calls stay single-threaded).
    boolean blockwise = (long) l * l * d <= BLAS_SINGLE_THREAD_MNK;
    if (!blockwise) for (int i = 0; i < b * heads; i++) scoresOf.run(i);
    parallelRange(b * heads, 1, (from, to) -> {
      float[] s = new float[l * l];
      float[] e = new float[l * l];
      float[] work = new float[l * l];
      for (int i = from; i < to; i++) {
        if (blockwise) scoresOf.run(i);
        softmaxOf.run(i, s, e, work);
        if (blockwise) contextOf.run(i);
      }
    });
    if (!blockwise) for (int i = 0; i < b * heads; i++) contextOf.run(i);
  }

  /**
   * The largest m*n*k of a product OpenBLAS (0.3.19, interface/gemm.c) computes on the calling thread only:
   * SMP_THRESHOLD_MIN (65536) times GEMM_MULTITHREAD_THRESHOLD (4).
   */
  static final long BLAS_SINGLE_THREAD_MNK = 65536L * 4;

  @FunctionalInterface
  interface BlockStep {
    void run(int block);
  }

  @FunctionalInterface
  interface SoftmaxStep {
    void run(int block, float[] s, float[] e, float[] work);
  }

  /**
   * Attention for some query rows only: ctx[i] = softmax(q[rows[i]] k^T / sqrt(D) + mask) v, per head, over the keys
   * of row rows[i]'s sequence; qkv [B*L, 3H] as {@link #attention} reads it, ctx [M, H]. For a last layer needed at a
   * few positions (a masked LM's); one query row makes [1, L] products, too small for a GEMM call to pay, so the
   * rows are spread over the cores instead.
   */
  static void attentionRows(INDArray qkv, float[] ext, int l, int heads, int d, int[] rows, INDArray ctx) {
    int h = heads * d;
    int h3 = 3 * h;
    float scale = (float) (1.0 / Math.sqrt(d));
    FloatBuffer qb = buf(qkv);
    FloatBuffer cb = buf(ctx);
    parallelRange(rows.length, 1, (from, to) -> {
      float[] kv = new float[l * h3]; // the query's sequence: its q, k and v rows
      float[] s = new float[l];
      float[] e = new float[l];
      float[] work = new float[l];
      float[] out = new float[h];
      for (int i = from; i < to; i++) {
        int first = rows[i] / l * l;
        int q = (rows[i] - first) * h3;
        qb.get(first * h3, kv, 0, l * h3);
        java.util.Arrays.fill(out, 0f);
        for (int n = 0; n < heads; n++) {
          int c = n * d;
          for (int t = 0; t < l; t++) {
            int k = t * h3 + h + c;
            float acc = 0f;
            for (int j = 0; j < d; j++) acc += kv[q + c + j] * kv[k + j];
            s[t] = acc * scale + ext[first + t];
          }
          float max = FloatMath.max(s, 0, l);
          for (int t = 0; t < l; t++) e[t] = s[t] - max;
          FloatMath.exp(e, e, work, l);
          float inv = 1f / FloatMath.sum(e, 0, l);
          for (int t = 0; t < l; t++) {
            float p = e[t] * inv;
            int v = t * h3 + 2 * h + c;
            for (int j = 0; j < d; j++) out[c + j] += p * kv[v + j];
          }
        }
        cb.put(i * h, out, 0, h);
      }
    });
  }

  /**
   * One head's [L, L] block at {@code off}: adds the mask ext[maskOff + t] to every row of scores in place and writes
   * softmax over t into probs (s, e and work are scratch of L*L floats). e^(s - max) is {@link FloatMath#exp}; masked keys (-10000 below the row's maximum) come
   * out exactly 0, as with a float exp.
   */
  static void maskedSoftmax(FloatBuffer sb, FloatBuffer pb, int off, float[] ext, int maskOff, int l, float[] s,
      float[] e, float[] work) {
    int n = l * l;
    sb.get(off, s, 0, n);
    for (int f = 0; f < l; f++) {
      int o = f * l;
      for (int t = 0; t < l; t++) s[o + t] += ext[maskOff + t];
      float max = FloatMath.max(s, o, l);
      for (int t = 0; t < l; t++) e[o + t] = s[o + t] - max;
    }
    sb.put(off, s, 0, n);
    FloatMath.exp(e, e, work, n);
    for (int f = 0; f < l; f++) {
      int o = f * l;
      float inv = 1f / FloatMath.sum(e, o, l);
      for (int t = 0; t < l; t++) e[o + t] *= inv;
    }
    pb.put(off, e, 0, n);
  }

  /**
   * Backward of {@link #attention}: from dctx [B*L, H] (may be null: no gradient through the context) and the
   * gradient that reaches the scores directly (a loss on them; may be null), writes d(qkv) [B*L, 3H]. {@code work}
   * is scratch of the scores' shape (unused when dctx is null).
   */
  public static void attentionBackward(INDArray qkv, INDArray probs, INDArray dctx, INDArray dScoresDirect, int b,
      int l, int heads, int d, INDArray work, INDArray dqkv) {
    attentionBackward(qkv, probs, null, null, 0, dctx, dScoresDirect, b, l, heads, d, work, dqkv);
  }

  /**
   * Backward of the dropout form of {@link #attention}: dv = dropped^T dctx and d(probs) = (dctx v^T) * keep / (1 - p)
   * before the softmax backward. With p = 0, dropped and keep are unused.
   */
  static void attentionBackward(INDArray qkv, INDArray probs, INDArray dropped, byte[] keep, double dropP,
      INDArray dctx, INDArray dScoresDirect, int b, int l, int heads, int d, INDArray work, INDArray dqkv) {
    int h = heads * d;
    int h3 = 3 * h;
    float scale = (float) (1.0 / Math.sqrt(d));
    long ll = (long) l * l;
    boolean drop = dropP > 0;
    INDArray used = drop ? dropped : probs;
    INDArray ds = dctx != null ? work : dScoresDirect;
    // Block p: dprobs = dctx v^T into work and dv = probs^T dctx.
    BlockStep valueGrads = p -> {
      long row0 = (long) (p / heads) * l * h3;
      long col = (long) (p % heads) * d;
      long ctxOff = (long) (p / heads) * l * h + col;
      Gemm.gemm(false, true, l, l, d, 1f, dctx, ctxOff, h, qkv, row0 + 2L * h + col, h3, 0f, work, p * ll, l);
      Gemm.gemm(true, false, l, d, l, 1f, used, p * ll, l, dctx, ctxOff, h, 0f, dqkv, row0 + 2L * h + col, h3);
    };
    // scores = q k^T / sqrt(D) (+ mask, a constant): dq = dscores k / sqrt(D), dk = dscores^T q / sqrt(D).
    BlockStep queryKeyGrads = p -> {
      long row0 = (long) (p / heads) * l * h3;
      long col = (long) (p % heads) * d;
      Gemm.gemm(false, false, l, d, l, scale, ds, p * ll, l, qkv, row0 + h + col, h3, 0f, dqkv, row0 + col, h3);
      Gemm.gemm(true, false, l, d, l, scale, ds, p * ll, l, qkv, row0 + col, h3, 0f, dqkv, row0 + h + col, h3);
    };
    // As in the forward pass: blocks whose products OpenBLAS runs single-threaded are spread over the cores whole.
    boolean blockwise = (long) l * l * d <= BLAS_SINGLE_THREAD_MNK;
    if (dctx == null) {
      fillRows(dqkv, 2 * h, h, null, null);
    } else if (!blockwise) {
      for (int p = 0; p < b * heads; p++) valueGrads.run(p);
    }
    FloatBuffer pb = dctx != null ? buf(probs) : null;
    FloatBuffer wb = dctx != null ? buf(work) : null;
    FloatBuffer xb = dctx != null && dScoresDirect != null ? buf(dScoresDirect) : null;
    float dropScale = Dropout.scale(dropP);
    if (dctx != null || blockwise) {
      parallelRange(b * heads, 1, (from, to) -> {
        float[] pr = new float[l * l];
        float[] dr = new float[l * l];
        float[] xr = xb != null ? new float[l * l] : null;
        for (int p = from; p < to; p++) {
          if (dctx != null) {
            // dscores = softmax backward of dprobs (+ the direct gradient), in work.
            if (blockwise) valueGrads.run(p);
            softmaxBackwardBlock(pb, wb, xb, (int) (p * ll), l, pr, dr, xr, drop ? keep : null, dropScale);
          }
          if (blockwise) queryKeyGrads.run(p);
        }
      });
    }
    if (!blockwise) for (int p = 0; p < b * heads; p++) queryKeyGrads.run(p);
  }

  /**
   * One [L, L] block: dp (in wb) becomes p * (dp - sum(dp * p)) (+ direct, when xb is not null), in place; with a keep
   * mask, dp is first taken through the dropout (dp * keep * scale).
   */
  private static void softmaxBackwardBlock(FloatBuffer pb, FloatBuffer wb, FloatBuffer xb, int off, int l, float[] pr,
      float[] dr, float[] xr, byte[] keep, float scale) {
    int n = l * l;
    pb.get(off, pr, 0, n);
    wb.get(off, dr, 0, n);
    if (keep != null) for (int i = 0; i < n; i++) dr[i] *= keep[off + i] * scale;
    if (xb != null) xb.get(off, xr, 0, n);
    for (int f = 0; f < l; f++) {
      int o = f * l;
      float dt = FloatMath.dot(dr, pr, o, l);
      if (xr != null) {
        for (int t = 0; t < l; t++) dr[o + t] = pr[o + t] * (dr[o + t] - dt) + xr[o + t];
      } else {
        for (int t = 0; t < l; t++) dr[o + t] = pr[o + t] * (dr[o + t] - dt);
      }
    }
    wb.put(off, dr, 0, n);
  }

  // ============================================================================================== embeddings

  /** out[r] = word[ids[r]] + pos[r mod L] + type[seg[r]]: BERT's embedding sum before its LayerNorm. */
  public static void embed(INDArray word, INDArray pos, INDArray type, int[] ids, int[] seg, int l, INDArray out) {
    int h = (int) word.size(1);
    FloatBuffer wb = buf(contiguous(word));
    FloatBuffer pb = buf(contiguous(pos));
    FloatBuffer tb = buf(contiguous(type));
    FloatBuffer ob = buf(out);
    parallelRange(ids.length, 64, (from, to) -> {
      float[] a = new float[h];
      float[] c = new float[h];
      for (int r = from; r < to; r++) {
        wb.get(ids[r] * h, a, 0, h);
        pb.get((r % l) * h, c, 0, h);
        for (int j = 0; j < h; j++) a[j] += c[j];
        tb.get(seg[r] * h, c, 0, h);
        for (int j = 0; j < h; j++) a[j] += c[j];
        ob.put(r * h, a, 0, h);
      }
    });
  }

  /** dst[ids[r], :] += src[r, :] for every r with ids[r] != skipId (the [PAD] row gets no gradient). */
  public static void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId) {
    src = contiguous(src);
    int h = (int) src.size(1);
    FloatBuffer s = buf(src);
    FloatBuffer d = buf(dst);
    float[] a = new float[h];
    float[] c = new float[h];
    for (int r = 0; r < ids.length; r++) {
      int id = ids[r];
      if (id == skipId) continue;
      s.get(r * h, a, 0, h);
      d.get(id * h, c, 0, h);
      for (int j = 0; j < h; j++) c[j] += a[j];
      d.put(id * h, c, 0, h);
    }
  }

  /** dst[t, :] += sum over b of src[b * L + t, :] (the position embeddings' gradient). */
  public static void addPositionGrad(INDArray dst, INDArray src, int l) {
    int h = (int) src.size(1);
    int rows = (int) src.size(0);
    FloatBuffer s = buf(src);
    float[] sum = sumPartials(rows, l * h, (from, to, acc) -> {
      float[] a = new float[h];
      for (int r = from; r < to; r++) {
        s.get(r * h, a, 0, h);
        int o = (r % l) * h;
        for (int j = 0; j < h; j++) acc[o + j] += a[j];
      }
    });
    FloatBuffer d = buf(dst);
    float[] c = new float[l * h];
    d.get(0, c, 0, l * h);
    for (int j = 0; j < c.length; j++) c[j] += sum[j];
    d.put(0, c, 0, l * h);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Whether {@code a} is laid out as a dense row-major block (possibly at an offset into a larger buffer). */
  public static boolean isContiguous(INDArray a) {
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
  public static INDArray contiguous(INDArray a) {
    if (a.dataType() == DataType.FLOAT && isContiguous(a)) return a;
    return a.castTo(DataType.FLOAT).dup('c');
  }

  /** The array's own float buffer, positioned at its first element (the array must be dense row-major float). */
  public static FloatBuffer buf(INDArray a) {
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

  private static boolean sameData(INDArray a, INDArray b) {
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
}
