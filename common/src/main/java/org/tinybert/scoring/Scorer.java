package org.tinybert.scoring;

import java.util.List;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.core.BertBatch;
import org.tinybert.text.EncodedInput;

/**
 * Runs a model over one batch and reads what a scoring job keeps of it: the chosen head's logits, the pooled output,
 * or the mean of the last hidden states. The one place the scoring jobs ({@code evaluate}, {@code predict}, the
 * distillation jobs' dev evaluation, {@code infer}) call {@link BertModel#forward}.
 *
 * <p>How a batch is laid out is the caller's: {@code infer} pads each batch to its longest example, its rows sorted by
 * length first, so most of a batch is real tokens ({@link #score(List)}); GLUE features come padded to
 * {@code max_seq_length}, as the reference scores them ({@link GlueEvaluator}). Padded positions are masked out of
 * attention, so each example's outputs are those of the example alone.
 */
public final class Scorer {
  /** What a batch yields per example. */
  public enum Reads {
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
   * @param model the model on the engine it runs on, in the view the caller scores with (infer: the {@link
   *     BertModel#frozen} view of {@link org.tinybert.runtime.ExecutorRuntime}, made once per JVM)
   * @param head the head whose logits {@link Reads#LOGITS} reads
   */
  public Scorer(BertModel model, Reads reads, ClassifierHead head) {
    this.model = model;
    this.reads = reads;
    this.head = head;
  }

  /** One row of results per example, in the batch's order; the batch is padded to its longest example. */
  public float[][] score(List<EncodedInput> batch) {
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
    return score(new BertBatch(b, l, ids, seg, mask));
  }

  /** One row of results per example of a batch as it is laid out. */
  public float[][] score(BertBatch batch) {
    BertModel.Forward f = model.forward(batch, false, false);
    try {
      return switch (reads) {
        case LOGITS -> head.logits(f).toFloatMatrix(); // [B, C]
        case POOLED -> f.pooledOutput.toFloatMatrix(); // [B, H]
        case MEAN -> mean(f.sequenceOutput().toFloatMatrix(), batch.inputMask(), batch.batchSize(),
            batch.seqLength()); // [R, H] -> [B, H]
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
