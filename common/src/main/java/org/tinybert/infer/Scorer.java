package org.tinybert.infer;

import java.util.List;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Engine;
import org.tinybert.text.EncodedInput;

/**
 * Runs the model over one batch of encoded examples and reads what {@code infer} writes: the chosen head's logits, the
 * pooled output, or the mean of the last hidden states. The only place {@code infer} calls the model.
 *
 * <p>A batch is padded to its longest example, not to {@code max_seq_length}: the rows are sorted by length before
 * they are batched ({@link UnitRunner}), so most of a batch is real tokens. Padded positions are masked out of
 * attention, so each example's outputs are those of the example alone.
 */
final class Scorer {
  /** What a batch yields per example. */
  enum Reads {
    /** [C] logits of the head. */
    LOGITS,
    /** [H] pooled output. */
    POOLED,
    /** [H] mean of the last hidden states over the real tokens. */
    MEAN
  }

  private final BertModel model;
  private final Reads reads;
  private final ClassifierHead head;

  /**
   * @param frozen the model's {@link BertModel#frozen} view, made once per JVM ({@link
   *     org.tinybert.runtime.ExecutorRuntime.Model#frozen}): query, key and value are stacked once, so the three
   *     projections are one GEMM, as {@code tinybert bench inference} runs them
   */
  Scorer(BertModel frozen, Engine engine, Reads reads, ClassifierHead head) {
    this.model = frozen.withEngine(engine);
    this.reads = reads;
    this.head = head;
  }

  /** One row of results per example, in the batch's order. */
  float[][] score(List<EncodedInput> batch) {
    int b = batch.size();
    int l = 0;
    for (EncodedInput e : batch) l = Math.max(l, e.seqLength());
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      EncodedInput e = batch.get(i);
      System.arraycopy(e.inputIds(), 0, ids, i * l, l);
      System.arraycopy(e.segmentIds(), 0, seg, i * l, l);
      System.arraycopy(e.inputMask(), 0, mask, i * l, l);
    }
    BertModel.Forward f = model.forward(new BertBatch(b, l, ids, seg, mask), false, false);
    try {
      return switch (reads) {
        case LOGITS -> head.logits(f).toFloatMatrix(); // [B, C]
        case POOLED -> f.pooledOutput.toFloatMatrix(); // [B, H]
        case MEAN -> mean(f.sequenceOutput().toFloatMatrix(), mask, b, l); // [R, H] -> [B, H]
      };
    } finally {
      f.release();
    }
  }

  /** Rows {@code [i*l, (i+1)*l)} of {@code h} averaged where the mask is 1. */
  static float[][] mean(float[][] h, int[] mask, int b, int l) {
    int width = h[0].length;
    float[][] out = new float[b][width];
    for (int i = 0; i < b; i++) {
      double[] sum = new double[width];
      int n = 0;
      for (int t = 0; t < l; t++) {
        if (mask[i * l + t] == 0) continue;
        n++;
        float[] row = h[i * l + t];
        for (int k = 0; k < width; k++) sum[k] += row[k];
      }
      for (int k = 0; k < width; k++) out[i][k] = (float) (sum[k] / n);
    }
    return out;
  }
}
