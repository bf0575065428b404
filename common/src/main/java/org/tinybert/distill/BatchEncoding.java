package org.tinybert.distill;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.core.BertBatch;

/**
 * How a packed BERT batch travels through DL4J: one float feature matrix [B, 3L] holding input ids, segment ids and
 * the input mask side by side (ids are exact in float32 below 2^24, far above any BERT vocabulary), and a label column
 * [B, 1] (class index or regression value; 0 where there is no label).
 */
public final class BatchEncoding {
  private BatchEncoding() {}

  public static INDArray features(BertBatch b) {
    int l = b.seqLength();
    float[] f = new float[b.batchSize() * 3 * l];
    for (int i = 0; i < b.batchSize(); i++) {
      for (int t = 0; t < l; t++) {
        int src = i * l + t;
        int dst = i * 3 * l + t;
        f[dst] = b.inputIds()[src];
        f[dst + l] = b.segmentIds()[src];
        f[dst + 2 * l] = b.inputMask()[src];
      }
    }
    return Nd4j.createFromArray(f).reshape(b.batchSize(), 3L * l);
  }

  public static BertBatch batch(INDArray features) {
    if (features.rank() != 2 || features.size(1) % 3 != 0) {
      throw new IllegalArgumentException("expected features [B, 3L], found " + java.util.Arrays.toString(features.shape()));
    }
    int bsz = (int) features.size(0);
    int l = (int) (features.size(1) / 3);
    float[] f = features.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int[] ids = new int[bsz * l];
    int[] seg = new int[bsz * l];
    int[] mask = new int[bsz * l];
    for (int i = 0; i < bsz; i++) {
      for (int t = 0; t < l; t++) {
        int src = i * 3 * l + t;
        int dst = i * l + t;
        ids[dst] = Math.round(f[src]);
        seg[dst] = Math.round(f[src + l]);
        mask[dst] = Math.round(f[src + 2 * l]);
      }
    }
    return new BertBatch(bsz, l, ids, seg, mask);
  }

  public static INDArray labels(float[] labels) {
    return Nd4j.createFromArray(labels).reshape(labels.length, 1);
  }

  public static float[] labels(INDArray labels) {
    return labels == null ? null : labels.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }
}
