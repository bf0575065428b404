package org.tinybert.glue;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One GLUE example as model input, TinyBERT's {@code InputFeatures} plus the example's GLUE index (which test
 * predictions are matched by). The arrays have the padded length {@code max_seq_length}; the record owns them and
 * callers must not modify them.
 *
 * @param guid the example's guid ({@code dev-17}), for messages
 * @param index the example's GLUE index ({@link GlueExample#index()})
 * @param inputIds vocabulary ids, 0 after {@code seqLength}
 * @param segmentIds 0 for {@code [CLS]}, the first sentence and its {@code [SEP]}; 1 for the second; 0 for padding
 * @param inputMask 1 for real positions, 0 for padding
 * @param seqLength number of real positions
 * @param labelId the gold label's id in the model's label order ({@link GlueLabels}); -1 for regression and for
 *     unlabelled (test) examples
 * @param regressionLabel the gold score of a regression task (STS-B) as the float32 TinyBERT trains and scores with;
 *     NaN for classification and for unlabelled examples
 */
public record GlueFeature(String guid, String index, int[] inputIds, int[] segmentIds, int[] inputMask, int seqLength,
    int labelId, float regressionLabel) implements Serializable {

  public GlueFeature {
    if (segmentIds.length != inputIds.length || inputMask.length != inputIds.length) {
      throw new IllegalArgumentException("input_ids, segment_ids and input_mask of " + guid + " must have one length, "
          + "found " + inputIds.length + ", " + segmentIds.length + ", " + inputMask.length);
    }
    if (seqLength < 0 || seqLength > inputIds.length) {
      throw new IllegalArgumentException("seq_length of " + guid + " must be in [0, " + inputIds.length + "], found "
          + seqLength);
    }
  }

  /** Padded length, {@code max_seq_length}. */
  public int maxSeqLength() {
    return inputIds.length;
  }

  /** Whether the example has a gold label (class or score). */
  public boolean labelled() {
    return labelId >= 0 || !Float.isNaN(regressionLabel);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GlueFeature f
        && guid.equals(f.guid)
        && index.equals(f.index)
        && seqLength == f.seqLength
        && labelId == f.labelId
        && Float.compare(regressionLabel, f.regressionLabel) == 0
        && Arrays.equals(inputIds, f.inputIds)
        && Arrays.equals(segmentIds, f.segmentIds)
        && Arrays.equals(inputMask, f.inputMask);
  }

  @Override
  public int hashCode() {
    int h = guid.hashCode();
    h = 31 * h + index.hashCode();
    h = 31 * h + Arrays.hashCode(inputIds);
    h = 31 * h + Arrays.hashCode(segmentIds);
    h = 31 * h + Arrays.hashCode(inputMask);
    h = 31 * h + labelId;
    return 31 * h + Float.hashCode(regressionLabel);
  }

  @Override
  public String toString() {
    return "GlueFeature(" + guid + ", index=" + index + ", input_ids=" + Arrays.toString(inputIds) + ", segment_ids="
        + Arrays.toString(segmentIds) + ", input_mask=" + Arrays.toString(inputMask) + ", seq_length=" + seqLength
        + ", label_id=" + labelId + ", regression_label=" + regressionLabel + ")";
  }
}
