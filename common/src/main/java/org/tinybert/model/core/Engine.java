package org.tinybert.model.core;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arithmetic that BERT's forward and backward passes, TinyBERT's losses, the Adam update and the augmentation's
 * top-K need, behind one seam, so that {@link org.tinybert.model.BertModel} and the other callers run unchanged on two
 * implementations (chosen by {@code tinybert.engine}, {@link org.tinybert.model.EngineChoice}):
 * <ul>
 *   <li>{@link org.tinybert.model.cpu.CpuEngine}: OpenBLAS products and fused Java row kernels over the arrays' host
 *       buffers, for ND4J's native (CPU) backend, where it runs near the machine's GEMM limit;
 *   <li>{@link org.tinybert.model.nd4j.Nd4jEngine}: ND4J operations only, never a host pointer, so that ND4J's CUDA
 *       backend runs every step on the GPU.
 * </ul>
 *
 * <p>Arrays are float32, row-major and dense unless a method says otherwise; activations are 2-D, [R, features] with
 * R = B*F rows. Methods write into arrays the caller passes (usually from this thread's {@link ArrayPool}) unless they
 * say they return a new one. A gradient argument that may be null is then not accumulated. An implementation keeps no
 * state between calls besides its own scratch memory, so one instance serves every thread.
 */
public interface Engine {
  /** {@code cpu} or {@code nd4j}: what logs, manifests and benchmark lines record. */
  String name();

  // ============================================================================================== linear layers

  /** {@code out = x W^T (+ b)} with torch's [out, in] weight layout: x [R, in], w [out, in], b [out] or null. */
  void linear(INDArray x, INDArray w, INDArray b, INDArray out);

  /** {@link #linear(INDArray, INDArray, INDArray, INDArray)} into a new [R, out] array (not from the pool). */
  INDArray linear(INDArray x, INDArray w, INDArray b);

  /**
   * Backward of {@code y = x W^T + b} for the column block {@code [col, col + out)} of {@code dy} (a fused projection
   * computes several layers' outputs side by side): adds dW += dy^T x and db += sum(dy) into the gradients and writes
   * dx = dy W into {@code dx} (null: skipped), or adds it to dx's contents when {@code accumulate}.
   */
  void linearBackward(INDArray dy, int col, INDArray x, INDArray w, INDArray dw, INDArray db, INDArray dx,
      boolean accumulate);

  /** {@link #linearBackward(INDArray, int, INDArray, INDArray, INDArray, INDArray, INDArray, boolean)}, dx new. */
  INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx);

  // ============================================================================================== LayerNorm

  /** What LayerNorm's backward needs of its forward pass, in the engine's own form. */
  interface NormCache {
    /** Hands the cache's arrays back to this thread's {@link ArrayPool}; the cache is unusable afterwards. */
    void release();
  }

  /** An empty cache for a LayerNorm over {@code rows} rows of {@code width} features. */
  NormCache normCache(long rows, long width);

  /**
   * {@code y = LayerNorm(x + bias + residual)}, TF-style (biased variance, eps inside the square root), over the last
   * axis; bias [H] and residual [R, H] may be null, y may be x. Fills {@code cache} (may be null) for backward.
   */
  void layerNorm(INDArray x, INDArray bias, INDArray residual, INDArray gamma, INDArray beta, double eps, INDArray y,
      NormCache cache);

  /** {@code LayerNorm(x)} into a new array. */
  INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps);

  /**
   * LayerNorm backward into {@code dx} (which may be dy): accumulates dgamma and dbeta and writes dx, or adds it to
   * dx's contents when {@code accumulate}.
   */
  void layerNormBackward(INDArray dy, NormCache cache, INDArray gamma, INDArray dgamma, INDArray dbeta, INDArray dx,
      boolean accumulate);

  // ============================================================================================== activations

  /**
   * {@code y = gelu(x + bias)}, GELU exact (erf), x [R, I], bias [I] or null; y may be x, else x is left holding
   * x + bias (the pre-activation backward needs).
   */
  void gelu(INDArray x, INDArray bias, INDArray y);

  /** {@code out = gelu'(x) * dy}; out may be dy. */
  void geluBackward(INDArray dy, INDArray x, INDArray out);

  /** {@code y = max(x + bias, 0)}, as {@link #gelu} does it. */
  void relu(INDArray x, INDArray bias, INDArray y);

  /** {@code out = dy where x > 0, else 0}; out may be dy. */
  void reluBackward(INDArray dy, INDArray x, INDArray out);

  // ============================================================================================== dropout

  /** The keep decisions of one dropout site, in the engine's own form. */
  interface Mask {
    /** Hands the mask's arrays (if any) back to this thread's {@link ArrayPool}. */
    default void release() {}
  }

  /**
   * {@code x = (x + bias) * keep / (1 - p)} in place (bias may be null), x [R, H]; row r's decisions are
   * {@link Dropout#draw}'s for (seed, site, r), so every engine draws the same masks.
   */
  Mask dropout(INDArray x, INDArray bias, double p, long seed, long site);

  /** {@code out = dy * keep / (1 - p)}, the backward of {@link #dropout}; out may be dy. */
  void dropoutBackward(INDArray dy, Mask keep, double p, INDArray out);

  // ============================================================================================== attention

  /** A batch's additive attention mask, in the engine's own form. */
  interface AttentionMask {
    /** Hands the mask's arrays (if any) back to this thread's {@link ArrayPool}. */
    default void release() {}
  }

  /**
   * BERT's additive mask for {@code batch}: 0 where attended, -10000 where masked (the original BERT value, which
   * TinyBERT's attention loss relies on: entries <= -100 are recognised as masked and zeroed).
   */
  AttentionMask attentionMask(BertBatch batch);

  /**
   * Self-attention from the fused projection {@code qkv} [B*F, 3*N*H] (query, key, value side by side in each row):
   * {@code scores} [B, N, F, T] = q k^T / sqrt(H) + mask, {@code probs} = softmax(scores) over T, {@code ctx}
   * [B*F, N*H] = probs v with the heads side by side. With dropout p > 0, {@code dropped} receives probs * keep /
   * (1 - p) (head block i's decisions {@link Dropout#draw}'s for (seed, site, i)), ctx = dropped v, and the mask is
   * returned; with p = 0, dropped is unused and the result is null.
   */
  Mask attention(INDArray qkv, AttentionMask mask, int b, int l, int heads, int headSize, INDArray scores,
      INDArray probs, INDArray dropped, double p, long seed, long site, INDArray ctx);

  /**
   * Attention for some query rows only: ctx [M, N*H] row i is {@link #attention}'s context row {@code rows[i]}
   * (no dropout).
   */
  void attentionRows(INDArray qkv, AttentionMask mask, int l, int heads, int headSize, int[] rows, INDArray ctx);

  /**
   * Backward of {@link #attention}: from dctx [B*F, N*H] (null: no gradient through the context) and the gradient
   * that reaches the scores directly (a loss on them; may be null), writes d(qkv) [B*F, 3*N*H]. {@code dropped} and
   * {@code keep} are the forward pass's (unused with p = 0); {@code work} is scratch of the scores' shape (unused when
   * dctx is null).
   */
  void attentionBackward(INDArray qkv, INDArray probs, INDArray dropped, Mask keep, double p, INDArray dctx,
      INDArray dScoresDirect, int b, int l, int heads, int headSize, INDArray work, INDArray dqkv);

  // ============================================================================================== embeddings

  /** {@code out[r] = word[ids[r]] + pos[r mod L] + type[seg[r]]}: BERT's embedding sum before its LayerNorm. */
  void embed(INDArray word, INDArray pos, INDArray type, int[] ids, int[] seg, int l, INDArray out);

  /** {@code dst[ids[r], :] += src[r, :]} for every r with ids[r] != skipId (the [PAD] row gets no gradient). */
  void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId);

  /** {@code dst[t, :] += sum over b of src[b * L + t, :]} (the position embeddings' gradient). */
  void addPositionGrad(INDArray dst, INDArray src, int l);

  // ============================================================================================== losses

  /**
   * Mean squared error over all entries; with {@code zeroMasked}, entries <= -100 become 0 first (in student and
   * teacher alike) and the gradient through a zeroed student entry is 0. Writes weight * d(mse)/d(student) into
   * {@code grad} when given; the value is accumulated in double precision.
   */
  double mse(INDArray student, INDArray teacher, boolean zeroMasked, double weight, INDArray grad);

  /**
   * {@code (-softmax(t/T) * log_softmax(s/T)).mean()} over B*C; adds weight * (softmax(s/T) - softmax(t/T)) /
   * (T*B*C) to {@code grad} when given.
   */
  double softCrossEntropy(INDArray student, INDArray teacher, double temperature, double weight, INDArray grad);

  /**
   * Mean cross-entropy of logits [B, C] against gold class indices (checked by the caller); adds weight * (softmax -
   * onehot) / B to {@code grad} when given.
   */
  double crossEntropy(INDArray student, int[] labels, double weight, INDArray grad);

  /** MSE of the first logit against gold values; adds weight * 2 (s - y) / B to {@code grad}'s first column. */
  double regressionMse(INDArray student, float[] labels, double weight, INDArray grad);

  // ============================================================================================== optimiser

  /**
   * One Adam step in place: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, and the gradient becomes the update DL4J
   * subtracts, alpha m / (sqrt(v) + eps) (alpha holds the learning rate and any bias correction).
   */
  void adamUpdate(INDArray gradient, INDArray m, INDArray v, double alpha, double beta1, double beta2, double epsilon);

  // ============================================================================================== top-K

  /**
   * Per row of {@code scores} [M, V], the indices of its {@code k} largest entries, best first, NaN never chosen;
   * {@code excludedPerRow} (one index per row, -1 for none; may be null) and {@code excludedColumns} (may be null)
   * are never chosen. Fewer than k when fewer are eligible. Exact ties go to the lower index in the CPU engine; at the
   * k-th place another engine may choose otherwise.
   */
  int[][] topK(INDArray scores, int k, int[] excludedPerRow, boolean[] excludedColumns);
}
