package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.contiguous;
import static org.tinybert.model.cpu.KernelSupport.isContiguous;

import java.nio.FloatBuffer;
import java.util.function.IntPredicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Engine;
import org.tinybert.model.nd4j.Nd4jEngine;

/**
 * The engine of ND4J's native (CPU) backend: matrix products through OpenBLAS ({@link Gemm}) on the arrays' host
 * buffers, every other step a fused Java row kernel over those buffers, split over the cores (one class per subject:
 * {@link LinearKernels}, {@link LayerNormKernels}, {@link ActivationKernels}, {@link DropoutKernels},
 * {@link AttentionKernels}, {@link EmbeddingKernels}, {@link LossKernels}, {@link AdamKernel}, {@link TopK}).
 *
 * <p>It reads host memory directly, so it runs only where that memory is the array's (the native backend); on the
 * CUDA backend {@code addressPointer()} is a host copy that the device would not see.
 */
public final class CpuEngine implements Engine {
  public static final CpuEngine INSTANCE = new CpuEngine();
  public static final String NAME = "cpu";

  private CpuEngine() {}

  /** A dropout site's keep decisions: 1 kept, 0 dropped, one per element. */
  record KeepMask(byte[] keep) implements Mask {}

  /** The additive mask, [B*T] flat. */
  record ExtMask(float[] ext) implements AttentionMask {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void linear(INDArray x, INDArray w, INDArray b, INDArray out) {
    LinearKernels.linearInto(x, w, b, null, out, 0);
  }

  @Override
  public INDArray linear(INDArray x, INDArray w, INDArray b) {
    return LinearKernels.linear(x, w, b);
  }

  @Override
  public void linearBackward(INDArray dy, int col, INDArray x, INDArray w, INDArray dw, INDArray db, INDArray dx,
      boolean accumulate) {
    LinearKernels.linearBackwardInto(contiguous(dy), col, x, w, dw, db, dx, accumulate);
  }

  @Override
  public INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx) {
    return LinearKernels.linearBackward(dy, x, w, dw, db, needDx);
  }

  @Override
  public NormCache normCache(long rows, long width) {
    return new LayerNormKernels.LnCache(ArrayPool.local().take(rows, width), new float[Math.toIntExact(rows)]);
  }

  @Override
  public void layerNorm(INDArray x, INDArray bias, INDArray residual, INDArray gamma, INDArray beta, double eps,
      INDArray y, NormCache cache) {
    LayerNormKernels.layerNorm(x, bias, residual, gamma, beta, eps, y, (LayerNormKernels.LnCache) cache);
  }

  @Override
  public INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
    return LayerNormKernels.layerNorm(x, gamma, beta, eps, null);
  }

  @Override
  public void layerNormBackward(INDArray dy, NormCache cache, INDArray gamma, INDArray dgamma, INDArray dbeta,
      INDArray dx, boolean accumulate) {
    LayerNormKernels.layerNormBackward(dy, (LayerNormKernels.LnCache) cache, gamma, dgamma, dbeta, dx, accumulate);
  }

  @Override
  public void gelu(INDArray x, INDArray bias, INDArray y) {
    ActivationKernels.gelu(x, bias, y);
  }

  @Override
  public void geluBackward(INDArray dy, INDArray x, INDArray out) {
    ActivationKernels.geluBackward(dy, x, out);
  }

  @Override
  public void relu(INDArray x, INDArray bias, INDArray y) {
    ActivationKernels.relu(x, bias, y);
  }

  @Override
  public void reluBackward(INDArray dy, INDArray x, INDArray out) {
    ActivationKernels.reluBackward(dy, x, out);
  }

  @Override
  public Mask dropout(INDArray x, INDArray bias, double p, long seed, long site) {
    return new KeepMask(DropoutKernels.dropout(x, bias, p, seed, site));
  }

  @Override
  public void dropoutBackward(INDArray dy, Mask keep, double p, INDArray out) {
    DropoutKernels.dropoutBackward(dy, ((KeepMask) keep).keep(), p, out);
  }

  @Override
  public AttentionMask attentionMask(BertBatch batch) {
    int[] mask = batch.inputMask();
    float[] ext = new float[mask.length];
    for (int i = 0; i < ext.length; i++) ext[i] = (1.0f - mask[i]) * -10000.0f;
    return new ExtMask(ext);
  }

  @Override
  public Mask attention(INDArray qkv, AttentionMask mask, int b, int l, int heads, int headSize, INDArray scores,
      INDArray probs, INDArray dropped, double p, long seed, long site, INDArray ctx) {
    byte[] keep = p > 0 ? new byte[Math.toIntExact((long) b * heads * l * l)] : null;
    AttentionKernels.attention(qkv, ((ExtMask) mask).ext(), b, l, heads, headSize, scores, probs, dropped, p, seed,
        site, keep, ctx);
    return keep == null ? null : new KeepMask(keep);
  }

  @Override
  public void attentionRows(INDArray qkv, AttentionMask mask, int l, int heads, int headSize, int[] rows,
      INDArray ctx) {
    AttentionKernels.attentionRows(qkv, ((ExtMask) mask).ext(), l, heads, headSize, rows, ctx);
  }

  @Override
  public void attentionBackward(INDArray qkv, INDArray probs, INDArray dropped, Mask keep, double p, INDArray dctx,
      INDArray dScoresDirect, int b, int l, int heads, int headSize, INDArray work, INDArray dqkv) {
    AttentionKernels.attentionBackward(qkv, probs, dropped, keep == null ? null : ((KeepMask) keep).keep(), p, dctx,
        dScoresDirect == null ? null : contiguous(dScoresDirect), b, l, heads, headSize, work, dqkv);
  }

  @Override
  public void embed(INDArray word, INDArray pos, INDArray type, int[] ids, int[] seg, int l, INDArray out) {
    EmbeddingKernels.embed(word, pos, type, ids, seg, l, out);
  }

  @Override
  public void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId) {
    EmbeddingKernels.scatterAddRows(dst, ids, src, skipId);
  }

  @Override
  public void addPositionGrad(INDArray dst, INDArray src, int l) {
    EmbeddingKernels.addPositionGrad(dst, src, l);
  }

  @Override
  public double mse(INDArray student, INDArray teacher, boolean zeroMasked, double weight, INDArray grad) {
    return LossKernels.mse(student, teacher, zeroMasked, weight, grad);
  }

  @Override
  public double softCrossEntropy(INDArray student, INDArray teacher, double temperature, double weight,
      INDArray grad) {
    return LossKernels.softCrossEntropy(student, teacher, temperature, weight, grad);
  }

  @Override
  public double crossEntropy(INDArray student, int[] labels, double weight, INDArray grad) {
    return LossKernels.crossEntropy(student, labels, weight, grad);
  }

  @Override
  public double regressionMse(INDArray student, float[] labels, double weight, INDArray grad) {
    return LossKernels.regressionMse(student, labels, weight, grad);
  }

  /** The fused kernel on dense float arrays; anything else (a strided view) in ND4J's operations. */
  @Override
  public void adamUpdate(INDArray gradient, INDArray m, INDArray v, double alpha, double beta1, double beta2,
      double epsilon) {
    if (dense(gradient) && dense(m) && dense(v)) {
      AdamKernel.update(gradient, m, v, (float) alpha, beta1, beta2, epsilon);
    } else {
      Nd4jEngine.INSTANCE.adamUpdate(gradient, m, v, alpha, beta1, beta2, epsilon);
    }
  }

  private static boolean dense(INDArray a) {
    return a.dataType() == DataType.FLOAT && isContiguous(a);
  }

  @Override
  public int[][] topK(INDArray scores, int k, int[] excludedPerRow, boolean[] excludedColumns) {
    INDArray s = contiguous(scores);
    FloatBuffer b = buf(s);
    int rows = (int) s.size(0);
    int v = (int) s.size(1);
    int[][] out = new int[rows][];
    for (int i = 0; i < rows; i++) {
      int self = excludedPerRow == null ? -1 : excludedPerRow[i];
      IntPredicate skip = self < 0 && excludedColumns == null ? null
          : j -> j == self || (excludedColumns != null && excludedColumns[j]);
      out[i] = TopK.largest(b, i * v, v, k, skip);
    }
    return out;
  }

  @Override
  public String toString() {
    return NAME;
  }
}
