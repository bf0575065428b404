package org.tinybert.model.nd4j;

import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Dropout;
import org.tinybert.model.core.Engine;

/**
 * The portable engine: every step is an ND4J operation ({@code INDArray} methods, {@code Nd4j.gemm}/{@code matmul},
 * transforms and libnd4j's custom ops such as {@code softmax}, {@code top_k} and {@code unsorted_segment_sum}), and no
 * code here reads or writes an array's host buffer, so on ND4J's CUDA backend the whole pass runs on the device.
 *
 * <p>Memory: the temporaries of each call live in one ND4J workspace per thread ({@link #SCRATCH}), which learns the
 * largest call's size and is reused from then on, so a training step allocates nothing new once the shapes repeat
 * (without it, every temporary would wait for the garbage collector, which a GPU's memory cannot afford). Outputs,
 * caches and masks live outside it, in the caller's arrays or this thread's {@link ArrayPool}, and are handed back
 * with the pass.
 *
 * <p>Dropout masks are drawn on the host by {@link Dropout#draw}, the same counter-based generator as the CPU
 * engine's, so both engines train through the same masks; each site's mask is one host-to-device copy.
 *
 * <p>Numbers: the same definitions as the CPU engine in float32, with losses summed in double precision; results
 * agree to float rounding (products and reductions are ordered differently). At the k-th place of {@link #topK},
 * exactly tied scores may be resolved otherwise than the CPU engine's lower-index rule (libnd4j's {@code top_k}
 * decides).
 */
public final class Nd4jEngine implements Engine {
  public static final Nd4jEngine INSTANCE = new Nd4jEngine();
  public static final String NAME = "nd4j";

  /** One workspace per thread for each call's temporaries (see the class comment). */
  static final String SCRATCH = "tinybert-nd4j-engine";

  private static final WorkspaceConfiguration SCRATCH_CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.2)
      .policyLearning(LearningPolicy.OVER_TIME)
      .cyclesBeforeInitialization(3)
      // A call larger than the workspace spills outside it and makes the workspace grow to fit at its end.
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private static final float SQRT_HALF = (float) Math.sqrt(0.5);
  private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2 * Math.PI));
  private static final float MASKED = -10000.0f;

  private Nd4jEngine() {}

  /** A dropout site's keep decisions as a float array: keep / (1 - p) where kept, 0 where dropped. */
  record ScaledMask(INDArray scaled) implements Mask {
    @Override
    public void release() {
      ArrayPool.local().give(scaled);
    }
  }

  /** The additive mask, [B, 1, 1, T]. */
  record AdditiveMask(INDArray ext) implements AttentionMask {
    @Override
    public void release() {
      ArrayPool.local().give(ext);
    }
  }

  /** The normalised input [R, H] and 1/sqrt(var + eps) per row [R, 1]. */
  record Norm(INDArray xhat, INDArray rstd) implements NormCache {
    @Override
    public void release() {
      ArrayPool.local().give(xhat);
      ArrayPool.local().give(rstd);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The bytes this thread's scratch workspace holds (0 before its first call): after the first steps of a training
   * run it stops changing, which is how the tests check that temporaries are reused rather than allocated anew.
   */
  public static long scratchBytes() {
    if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExists(SCRATCH)) return 0;
    return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(SCRATCH_CONFIG, SCRATCH).getCurrentSize();
  }

  /** This thread's scratch workspace, opened for one call. */
  private static MemoryWorkspace scratch() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH_CONFIG, SCRATCH);
  }

  /** An array made outside every workspace (it outlives the call). */
  private static INDArray outside(Supplier<INDArray> make) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return make.get();
    }
  }

  private static INDArray pooled(long... shape) {
    return outside(() -> ArrayPool.local().take(shape));
  }

  // ============================================================================================== linear layers

  @Override
  public void linear(INDArray x, INDArray w, INDArray b, INDArray out) {
    try (MemoryWorkspace ignored = scratch()) {
      Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
      if (b != null) out.addiRowVector(b);
    }
  }

  @Override
  public INDArray linear(INDArray x, INDArray w, INDArray b) {
    INDArray y = outside(() -> Nd4j.createUninitialized(DataType.FLOAT, x.size(0), w.size(0)));
    linear(x, w, b, y);
    return y;
  }

  @Override
  public void linearBackward(INDArray dy, int col, INDArray x, INDArray w, INDArray dw, INDArray db, INDArray dx,
      boolean accumulate) {
    try (MemoryWorkspace ignored = scratch()) {
      long out = w.size(0);
      INDArray g = col == 0 && dy.size(1) == out ? dy : dy.get(NDArrayIndex.all(), NDArrayIndex.interval(col, col + out));
      if (dw != null) Nd4j.gemm(g, x, dw, true, false, 1.0, 1.0);
      if (db != null) db.addi(g.sum(0).reshape(db.shape()));
      if (dx != null) Nd4j.gemm(g, w, dx, false, false, 1.0, accumulate ? 1.0 : 0.0);
    }
  }

  @Override
  public INDArray linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dw, INDArray db, boolean needDx) {
    INDArray dx = needDx ? outside(() -> Nd4j.createUninitialized(DataType.FLOAT, dy.size(0), w.size(1))) : null;
    linearBackward(dy, 0, x, w, dw, db, dx, false);
    return dx;
  }

  // ============================================================================================== LayerNorm

  @Override
  public NormCache normCache(long rows, long width) {
    return new Norm(pooled(rows, width), pooled(rows, 1));
  }

  @Override
  public void layerNorm(INDArray x, INDArray bias, INDArray residual, INDArray gamma, INDArray beta, double eps,
      INDArray y, NormCache cache) {
    try (MemoryWorkspace ignored = scratch()) {
      INDArray v = residual != null ? x.add(residual) : x.dup();
      if (bias != null) v.addiRowVector(bias);
      INDArray centred = v.subiColumnVector(v.mean(true, 1)); // [R, H]
      INDArray rstd = Transforms.pow(centred.mul(centred).mean(true, 1).addi(eps), -0.5, false); // [R, 1]
      INDArray xhat = centred.muliColumnVector(rstd);
      if (cache != null) {
        Norm c = (Norm) cache;
        c.xhat().assign(xhat);
        c.rstd().assign(rstd);
      }
      y.assign(xhat.muliRowVector(gamma).addiRowVector(beta));
    }
  }

  @Override
  public INDArray layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
    INDArray y = outside(() -> Nd4j.createUninitialized(DataType.FLOAT, x.shape()));
    layerNorm(x, null, null, gamma, beta, eps, y, null);
    return y;
  }

  @Override
  public void layerNormBackward(INDArray dy, NormCache cache, INDArray gamma, INDArray dgamma, INDArray dbeta,
      INDArray dx, boolean accumulate) {
    Norm c = (Norm) cache;
    try (MemoryWorkspace ignored = scratch()) {
      // Parameter gradients first: dx may be dy.
      if (dgamma != null) dgamma.addi(dy.mul(c.xhat()).sum(0).reshape(dgamma.shape()));
      if (dbeta != null) dbeta.addi(dy.sum(0).reshape(dbeta.shape()));
      INDArray t = dy.mulRowVector(gamma); // [R, H]
      INDArray meanT = t.mean(true, 1); // [R, 1]
      INDArray meanTx = t.mul(c.xhat()).mean(true, 1); // [R, 1]
      INDArray d = t.subiColumnVector(meanT).subi(c.xhat().mulColumnVector(meanTx)).muliColumnVector(c.rstd());
      if (accumulate) dx.addi(d); else dx.assign(d);
    }
  }

  // ============================================================================================== activations

  @Override
  public void gelu(INDArray x, INDArray bias, INDArray y) {
    try (MemoryWorkspace ignored = scratch()) {
      // With y not x, x keeps x + bias (backward's pre-activation); with y = x it is overwritten anyway.
      if (bias != null) x.addiRowVector(bias);
      INDArray cdf = erf(x.mul(SQRT_HALF)).addi(1.0); // 1 + erf(x / sqrt 2)
      y.assign(cdf.muli(x).muli(0.5));
    }
  }

  @Override
  public void geluBackward(INDArray dy, INDArray x, INDArray out) {
    try (MemoryWorkspace ignored = scratch()) {
      // gelu'(x) = Phi(x) + x phi(x)
      INDArray cdf = erf(x.mul(SQRT_HALF)).muli(0.5).addi(0.5);
      INDArray pdf = Transforms.exp(x.mul(x).muli(-0.5), false).muli(x).muli(INV_SQRT_2PI);
      out.assign(cdf.addi(pdf).muli(dy));
    }
  }

  private static INDArray erf(INDArray x) {
    return Nd4j.exec(new Erf(x, x));
  }

  @Override
  public void relu(INDArray x, INDArray bias, INDArray y) {
    try (MemoryWorkspace ignored = scratch()) {
      if (bias != null) x.addiRowVector(bias);
      if (y == x) {
        Transforms.relu(x, false);
      } else {
        y.assign(Transforms.relu(x, true));
      }
    }
  }

  @Override
  public void reluBackward(INDArray dy, INDArray x, INDArray out) {
    try (MemoryWorkspace ignored = scratch()) {
      out.assign(Transforms.step(x, true).muli(dy));
    }
  }

  // ============================================================================================== dropout

  @Override
  public Mask dropout(INDArray x, INDArray bias, double p, long seed, long site) {
    int rows = (int) x.size(0);
    int h = (int) x.size(1);
    byte[] keep = new byte[Math.multiplyExact(rows, h)];
    IntStream.range(0, rows).parallel().forEach(r -> Dropout.draw(keep, r * h, h, p, seed, site, r));
    ScaledMask mask = scaledMask(keep, p, rows, h);
    try (MemoryWorkspace ignored = scratch()) {
      if (bias != null) x.addiRowVector(bias);
      x.muli(mask.scaled());
    }
    return mask;
  }

  /** keep (0 or 1 per element, drawn on the host) as a float array of keep / (1 - p), outside the scratch. */
  private static ScaledMask scaledMask(byte[] keep, double p, long... shape) {
    INDArray scaled = pooled(shape);
    try (MemoryWorkspace ignored = scratch()) {
      scaled.assign(Nd4j.createFromArray(keep).reshape(shape)).muli(Dropout.scale(p));
    }
    return new ScaledMask(scaled);
  }

  @Override
  public void dropoutBackward(INDArray dy, Mask keep, double p, INDArray out) {
    try (MemoryWorkspace ignored = scratch()) {
      out.assign(dy.mul(((ScaledMask) keep).scaled()));
    }
  }

  // ============================================================================================== attention

  @Override
  public AttentionMask attentionMask(BertBatch batch) {
    INDArray ext = pooled(batch.batchSize(), 1, 1, batch.seqLength());
    try (MemoryWorkspace ignored = scratch()) {
      INDArray m = Nd4j.createFromArray(batch.inputMask()).reshape(ext.shape());
      ext.assign(m).rsubi(1.0).muli(MASKED); // (1 - mask) * -10000
    }
    return new AdditiveMask(ext);
  }

  /** Head view of one third of the fused projection: [B*F, 3*N*H] columns [off, off + N*H) as [B, N, F, H]. */
  private static INDArray heads(INDArray qkv, long off, int b, int l, int heads, int headSize) {
    long hidden = (long) heads * headSize;
    return qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + hidden))
        .reshape('c', b, l, heads, headSize).permute(0, 2, 1, 3);
  }

  /** [B, N, F, H] back to [B*F, N*H] with the heads side by side. */
  private static INDArray merged(INDArray x, long rows) {
    return x.permute(0, 2, 1, 3).dup('c').reshape(rows, x.size(1) * x.size(3));
  }

  @Override
  public Mask attention(INDArray qkv, AttentionMask mask, int b, int l, int heads, int headSize, INDArray scores,
      INDArray probs, INDArray dropped, double p, long seed, long site, INDArray ctx) {
    ScaledMask keep = null;
    if (p > 0) {
      int ll = l * l;
      byte[] k = new byte[Math.multiplyExact(b * heads, ll)];
      IntStream.range(0, b * heads).parallel().forEach(i -> Dropout.draw(k, i * ll, ll, p, seed, site, i));
      keep = scaledMask(k, p, b, heads, l, l);
    }
    try (MemoryWorkspace ignored = scratch()) {
      INDArray q = heads(qkv, 0, b, l, heads, headSize); // [B, N, F, H]
      INDArray k = heads(qkv, (long) heads * headSize, b, l, heads, headSize); // [B, N, T, H]
      INDArray v = heads(qkv, 2L * heads * headSize, b, l, heads, headSize); // [B, N, T, H]
      INDArray s = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt(headSize)); // [B, N, F, T]
      s.addi(((AdditiveMask) mask).ext()); // + [B, 1, 1, T]
      scores.assign(s);
      Nd4j.exec(new SoftMax(s, probs, 3));
      INDArray used = probs;
      if (keep != null) {
        dropped.assign(probs.mul(keep.scaled()));
        used = dropped;
      }
      ctx.assign(merged(Nd4j.matmul(used, v), (long) b * l)); // [B*F, N*H]
    }
    return keep;
  }

  @Override
  public void attentionRows(INDArray qkv, AttentionMask mask, int l, int heads, int headSize, int[] rows,
      INDArray ctx) {
    int m = rows.length;
    int b = (int) (qkv.size(0) / l);
    long hidden = (long) heads * headSize;
    int[] sequence = new int[m];
    for (int i = 0; i < m; i++) sequence[i] = rows[i] / l;
    try (MemoryWorkspace ignored = scratch()) {
      // The asked query rows, and the keys, values and mask of each one's sequence.
      INDArray q = rows(qkv, rows).get(NDArrayIndex.all(), NDArrayIndex.interval(0, hidden))
          .reshape('c', m, heads, 1, headSize); // [M, N, 1, H]
      INDArray k = bySequence(heads(qkv, hidden, b, l, heads, headSize), sequence); // [M, N, T, H]
      INDArray v = bySequence(heads(qkv, 2 * hidden, b, l, heads, headSize), sequence); // [M, N, T, H]
      INDArray ext = rows(((AdditiveMask) mask).ext().reshape(b, l), sequence).reshape(m, 1, 1, l);
      INDArray s = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt(headSize)).addi(ext); // [M, N, 1, T]
      INDArray pr = Nd4j.exec(new SoftMax(s, s.ulike(), 3))[0];
      ctx.assign(Nd4j.matmul(pr, v).reshape('c', m, hidden)); // [M, N, 1, H] -> [M, N*H]
    }
  }

  /** The [N, T, H] blocks of the given sequences of x [B, N, T, H]: [M, N, T, H]. */
  private static INDArray bySequence(INDArray x, int[] sequence) {
    long[] s = x.shape();
    return rows(x.dup('c').reshape(s[0], s[1] * s[2] * s[3]), sequence).reshape(sequence.length, s[1], s[2], s[3]);
  }

  /**
   * Rows {@code index} of the 2-D {@code x}, in one native op: {@code INDArray.getRows} copies row by row, an op per
   * row (thousands per step for the embeddings, each a kernel launch on a GPU).
   */
  private static INDArray rows(INDArray x, int[] index) {
    return Nd4j.pullRows(x, 1, index);
  }

  @Override
  public void attentionBackward(INDArray qkv, INDArray probs, INDArray dropped, Mask keep, double p, INDArray dctx,
      INDArray dScoresDirect, int b, int l, int heads, int headSize, INDArray work, INDArray dqkv) {
    long hidden = (long) heads * headSize;
    long rows = (long) b * l;
    double scale = 1.0 / Math.sqrt(headSize);
    try (MemoryWorkspace ignored = scratch()) {
      INDArray q = heads(qkv, 0, b, l, heads, headSize); // [B, N, F, H]
      INDArray k = heads(qkv, hidden, b, l, heads, headSize); // [B, N, T, H]
      INDArray ds; // d(scores) [B, N, F, T]
      INDArray valueBlock = dqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * hidden, 3 * hidden));
      if (dctx != null) {
        INDArray v = heads(qkv, 2 * hidden, b, l, heads, headSize);
        INDArray dc = dctx.reshape('c', b, l, heads, headSize).permute(0, 2, 1, 3); // [B, N, F, H]
        INDArray used = p > 0 ? dropped : probs;
        valueBlock.assign(merged(Nd4j.matmul(used, dc, true, false, false), rows)); // dv = used^T dctx
        INDArray dp = Nd4j.matmul(dc, v, false, true, false); // d(used) [B, N, F, T]
        if (p > 0) dp.muli(((ScaledMask) keep).scaled());
        // Softmax backward: ds = probs * (dp - sum_t(dp * probs)).
        INDArray dot = dp.mul(probs).sum(true, 3); // [B, N, F, 1]
        ds = dp.subi(dot).muli(probs);
        if (dScoresDirect != null) ds.addi(dScoresDirect);
      } else {
        valueBlock.assign(0);
        ds = dScoresDirect;
      }
      // scores = q k^T / sqrt(H) (+ mask, a constant): dq = ds k / sqrt(H), dk = ds^T q / sqrt(H).
      dqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, hidden))
          .assign(merged(Nd4j.matmul(ds, k).muli(scale), rows));
      dqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(hidden, 2 * hidden))
          .assign(merged(Nd4j.matmul(ds, q, true, false, false).muli(scale), rows));
    }
  }

  // ============================================================================================== embeddings

  @Override
  public void embed(INDArray word, INDArray pos, INDArray type, int[] ids, int[] seg, int l, INDArray out) {
    long h = word.size(1);
    int b = ids.length / l;
    try (MemoryWorkspace ignored = scratch()) {
      INDArray e = rows(word, ids).reshape('c', b, l, h); // [B, F, N*H]
      e.addi(pos.get(NDArrayIndex.interval(0, l), NDArrayIndex.all()).reshape(1, l, h));
      out.assign(e.reshape(ids.length, h).addi(rows(type, seg)));
    }
  }

  @Override
  public void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId) {
    int n = (int) dst.size(0);
    // Rows to skip go to one extra segment, which is then left out.
    int[] segment = new int[ids.length];
    for (int i = 0; i < ids.length; i++) segment[i] = ids[i] == skipId ? n : ids[i];
    try (MemoryWorkspace ignored = scratch()) {
      INDArray sums = Nd4j.exec(new UnsortedSegmentSum(src, Nd4j.createFromArray(segment), n + 1))[0]; // [n + 1, H]
      dst.addi(sums.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
    }
  }

  @Override
  public void addPositionGrad(INDArray dst, INDArray src, int l) {
    long h = src.size(1);
    try (MemoryWorkspace ignored = scratch()) {
      dst.get(NDArrayIndex.interval(0, l), NDArrayIndex.all()).addi(src.reshape('c', src.size(0) / l, l, h).sum(0));
    }
  }

  // ============================================================================================== losses

  @Override
  public double mse(INDArray student, INDArray teacher, boolean zeroMasked, double weight, INDArray grad) {
    long n = student.length();
    try (MemoryWorkspace ignored = scratch()) {
      INDArray d;
      INDArray keepStudent = null;
      if (zeroMasked) {
        // 1 above -100, 0 at or below (masked keys carry -10000).
        keepStudent = student.gt(-100.0).castTo(DataType.FLOAT);
        d = student.mul(keepStudent).subi(teacher.mul(teacher.gt(-100.0).castTo(DataType.FLOAT)));
      } else {
        d = student.sub(teacher);
      }
      INDArray d64 = d.castTo(DataType.DOUBLE);
      double sum = d64.muli(d64).sumNumber().doubleValue();
      if (grad != null) {
        d.muli((float) (2.0 * weight / n));
        if (keepStudent != null) d.muli(keepStudent);
        grad.assign(d.reshape(grad.shape()));
      }
      return sum / n;
    }
  }

  /** log_softmax over each row of a double [B, C]. */
  private static INDArray logSoftmaxRows(INDArray z) {
    INDArray shifted = z.subColumnVector(z.max(true, 1));
    INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
    return shifted.subiColumnVector(lse);
  }

  @Override
  public double softCrossEntropy(INDArray student, INDArray teacher, double temperature, double weight,
      INDArray grad) {
    long b = student.size(0);
    long c = student.size(1);
    try (MemoryWorkspace ignored = scratch()) {
      INDArray ls = logSoftmaxRows(student.castTo(DataType.DOUBLE).divi(temperature));
      INDArray pt = Transforms.exp(logSoftmaxRows(teacher.castTo(DataType.DOUBLE).divi(temperature)), false);
      double sum = -pt.mul(ls).sumNumber().doubleValue();
      if (grad != null) {
        grad.addi(Transforms.exp(ls, false).subi(pt).muli(weight / (temperature * b * c)).castTo(DataType.FLOAT));
      }
      return sum / ((double) b * c);
    }
  }

  @Override
  public double crossEntropy(INDArray student, int[] labels, double weight, INDArray grad) {
    int b = (int) student.size(0);
    int c = (int) student.size(1);
    double[][] onehot = new double[b][c];
    for (int i = 0; i < b; i++) onehot[i][labels[i]] = 1;
    try (MemoryWorkspace ignored = scratch()) {
      INDArray y = Nd4j.createFromArray(onehot);
      INDArray ls = logSoftmaxRows(student.castTo(DataType.DOUBLE));
      double sum = -y.mul(ls).sumNumber().doubleValue();
      if (grad != null) grad.addi(Transforms.exp(ls, false).subi(y).muli(weight / b).castTo(DataType.FLOAT));
      return sum / b;
    }
  }

  @Override
  public double regressionMse(INDArray student, float[] labels, double weight, INDArray grad) {
    int b = (int) student.size(0);
    double[] y = new double[b];
    for (int i = 0; i < b; i++) y[i] = labels[i];
    try (MemoryWorkspace ignored = scratch()) {
      INDArray d = student.get(NDArrayIndex.all(), NDArrayIndex.point(0)).castTo(DataType.DOUBLE)
          .subi(Nd4j.createFromArray(y));
      double sum = d.mul(d).sumNumber().doubleValue();
      if (grad != null) {
        grad.get(NDArrayIndex.all(), NDArrayIndex.point(0)).addi(d.muli(2.0 * weight / b).castTo(DataType.FLOAT));
      }
      return sum / b;
    }
  }

  // ============================================================================================== optimiser

  @Override
  public void adamUpdate(INDArray gradient, INDArray m, INDArray v, double alpha, double beta1, double beta2,
      double epsilon) {
    try (MemoryWorkspace ignored = scratch()) {
      INDArray g = gradient;
      m.muli(beta1).addi(g.mul(1 - beta1));
      v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
      INDArray denom = Transforms.sqrt(v, true).addi(epsilon);
      g.assign(m).divi(denom).muli(alpha);
    }
  }

  // ============================================================================================== top-K

  @Override
  public int[][] topK(INDArray scores, int k, int[] excludedPerRow, boolean[] excludedColumns) {
    int rows = (int) scores.size(0);
    int v = (int) scores.size(1);
    int kk = Math.min(k, v);
    float[][] values;
    int[][] indices;
    try (MemoryWorkspace ignored = scratch()) {
      INDArray s = scores.castTo(DataType.FLOAT).dup('c');
      BooleanIndexing.replaceWhere(s, Float.NEGATIVE_INFINITY, Conditions.isNan());
      if (excludedColumns != null) {
        float[] add = new float[v];
        for (int j = 0; j < v; j++) if (excludedColumns[j]) add[j] = Float.NEGATIVE_INFINITY;
        s.addiRowVector(Nd4j.createFromArray(add));
      }
      if (excludedPerRow != null) {
        for (int i = 0; i < rows; i++) if (excludedPerRow[i] >= 0) s.putScalar(i, excludedPerRow[i], Float.NEGATIVE_INFINITY);
      }
      // libnd4j's top_k: k as its integer argument, sorted as its boolean one (TopK's Java constructor of M2.1 puts
      // both into the integer arguments, in the wrong order).
      INDArray[] top = Nd4j.exec(DynamicCustomOp.builder("top_k").addInputs(s).addIntegerArguments(kk)
          .addBooleanArguments(true).build()); // values, indices [M, k], best first
      values = top[0].toFloatMatrix();
      indices = top[1].castTo(DataType.INT32).toIntMatrix();
    }
    int[][] out = new int[rows][];
    for (int i = 0; i < rows; i++) {
      int n = 0;
      while (n < kk && values[i][n] != Float.NEGATIVE_INFINITY) n++;
      out[i] = java.util.Arrays.copyOf(indices[i], n);
    }
    return out;
  }

  @Override
  public String toString() {
    return NAME;
  }
}
