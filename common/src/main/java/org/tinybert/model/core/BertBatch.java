package org.tinybert.model.core;

import java.util.Arrays;

/**
 * One packed minibatch as BERT takes it: B sequences of L token ids, segment ids and an input mask, row-major
 * ({@code [b * L + t]}).
 */
public record BertBatch(int batchSize, int seqLength, int[] inputIds, int[] segmentIds, int[] inputMask) {

  public BertBatch {
    int n = batchSize * seqLength;
    if (batchSize <= 0 || seqLength <= 0) {
      throw new IllegalArgumentException("batch must be non-empty, found B=" + batchSize + " L=" + seqLength);
    }
    if (inputIds.length != n || segmentIds.length != n || inputMask.length != n) {
      throw new IllegalArgumentException("batch arrays must hold B*L=" + n + " entries, found input_ids "
          + inputIds.length + ", segment_ids " + segmentIds.length + ", input_mask " + inputMask.length);
    }
  }

  /** From [B][L] arrays (e.g. a JSON input); every row must have the same length. */
  public static BertBatch of(int[][] inputIds, int[][] segmentIds, int[][] inputMask) {
    int b = inputIds.length;
    if (b == 0) throw new IllegalArgumentException("input_ids is empty");
    int l = inputIds[0].length;
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      copyRow("input_ids", inputIds, i, l, ids);
      copyRow("segment_ids", segmentIds, i, l, seg);
      copyRow("input_mask", inputMask, i, l, mask);
    }
    return new BertBatch(b, l, ids, seg, mask);
  }

  private static void copyRow(String name, int[][] src, int row, int l, int[] dst) {
    if (src.length <= row) {
      throw new IllegalArgumentException(name + " has " + src.length + " rows, expected as many as input_ids");
    }
    if (src[row].length != l) {
      throw new IllegalArgumentException(name + " row " + row + " has length " + src[row].length + ", expected " + l);
    }
    System.arraycopy(src[row], 0, dst, row * l, l);
  }

  /** Rows [from, to) of this batch. */
  public BertBatch slice(int from, int to) {
    int l = seqLength;
    return new BertBatch(to - from, l, Arrays.copyOfRange(inputIds, from * l, to * l),
        Arrays.copyOfRange(segmentIds, from * l, to * l), Arrays.copyOfRange(inputMask, from * l, to * l));
  }

  public int[][] rows(int[] flat) {
    int[][] out = new int[batchSize][];
    for (int i = 0; i < batchSize; i++) out[i] = Arrays.copyOfRange(flat, i * seqLength, (i + 1) * seqLength);
    return out;
  }
}
