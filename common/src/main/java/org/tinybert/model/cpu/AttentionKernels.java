package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.fillRows;
import static org.tinybert.model.cpu.KernelSupport.parallelRange;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.core.Dropout;

/**
 * BERT's self-attention on the fused query/key/value projection [B*F, 3*N*H], forward (scores, masked softmax, dropout,
 * context), for some query rows only, and backward. Each head's [F, H] blocks are read in place through the GEMM's
 * row strides ({@link Gemm}): no permuted copies.
 */
final class AttentionKernels {
  private AttentionKernels() {}

  /**
   * Self-attention of one layer from the fused projection {@code qkv} [B*L, 3H] (query, key, value side by side in
   * each row): scores [B, N, L, L] = q k^T / sqrt(D) + ext (the additive mask, [B*L] flat), probs = softmax(scores),
   * ctx [B*L, H] = probs v with the heads written side by side. Each head's blocks are read in place through the
   * GEMM's row strides: no permuted copies. The GEMMs run one after the other (OpenBLAS threads each one; see
   * {@link Gemm}), the softmax over all heads at once on the cores.
   */
  static void attention(INDArray qkv, float[] ext, int b, int l, int heads, int d, INDArray scores,
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
  static void attentionBackward(INDArray qkv, INDArray probs, INDArray dctx, INDArray dScoresDirect, int b,
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
}
