package org.tinybert.text;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * One model input as BERT's feature converter builds it. The arrays have the padded length ({@code max_seq_length});
 * {@code tokens} holds only the real positions, {@code [CLS]} and {@code [SEP]} included. The arrays are not copied:
 * the record owns them, and callers must not modify them.
 *
 * @param tokens WordPieces of positions {@code 0..seqLength-1}
 * @param inputIds vocabulary ids, 0 after {@code seqLength}
 * @param segmentIds 0 for {@code [CLS]}, a and its {@code [SEP]}; 1 for b and its {@code [SEP]}; 0 for padding
 * @param inputMask 1 for real positions, 0 for padding
 * @param seqLength number of real positions
 */
public record EncodedInput(List<String> tokens, int[] inputIds, int[] segmentIds, int[] inputMask, int seqLength)
    implements Serializable {

  public EncodedInput {
    tokens = List.copyOf(tokens);
    if (segmentIds.length != inputIds.length || inputMask.length != inputIds.length) {
      throw new IllegalArgumentException("input_ids, segment_ids and input_mask must have one length, found "
          + inputIds.length + ", " + segmentIds.length + ", " + inputMask.length);
    }
    if (seqLength != tokens.size() || seqLength > inputIds.length) {
      throw new IllegalArgumentException("seq_length must equal the " + tokens.size() + " tokens and be <= "
          + inputIds.length + ", found " + seqLength);
    }
  }

  /** Padded length, {@code max_seq_length}. */
  public int maxSeqLength() {
    return inputIds.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedInput e
        && seqLength == e.seqLength
        && tokens.equals(e.tokens)
        && Arrays.equals(inputIds, e.inputIds)
        && Arrays.equals(segmentIds, e.segmentIds)
        && Arrays.equals(inputMask, e.inputMask);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * tokens.hashCode() + Arrays.hashCode(inputIds)) + Arrays.hashCode(segmentIds))
        + Arrays.hashCode(inputMask);
  }

  @Override
  public String toString() {
    return "EncodedInput(tokens=" + tokens + ", input_ids=" + Arrays.toString(inputIds) + ", segment_ids="
        + Arrays.toString(segmentIds) + ", input_mask=" + Arrays.toString(inputMask) + ", seq_length=" + seqLength
        + ")";
  }
}
