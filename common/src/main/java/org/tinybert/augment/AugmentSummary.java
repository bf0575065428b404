package org.tinybert.augment;

import java.io.Serializable;
import java.util.List;

/**
 * What one augmentation run did.
 *
 * @param task the task's name (a GLUE preset's, or the task file's)
 * @param input the training table read (train.tsv)
 * @param output the augmented table written (train_aug.tsv)
 * @param sideOutput the side file written, or null
 * @param inputRows data rows of the input (header excluded), skipped ones included
 * @param skippedRows malformed rows skipped
 * @param skippedReasons {@code line N: reason} for the first few skipped rows (a task file's table read whole:
 *     {@code <file> line N: reason}, Parquet {@code <file> row N (row group G): reason})
 * @param outputRows rows of the output, header excluded (originals and variants)
 * @param variants N, the variants drawn per text
 * @param mlmWords candidate words sent to the masked LM
 * @param gloveWords candidate words looked up in GloVe
 * @param gloveVocabulary GloVe words loaded
 * @param gloveLinesSkipped malformed GloVe lines skipped
 * @param partitions partitions the rows were spread over
 * @param seconds wall time of the run
 */
public record AugmentSummary(String task, String input, String output, String sideOutput, long inputRows,
    long skippedRows, List<String> skippedReasons, long outputRows, int variants, long mlmWords, long gloveWords,
    int gloveVocabulary, long gloveLinesSkipped, int partitions, double seconds) implements Serializable {
  public AugmentSummary {
    skippedReasons = List.copyOf(skippedReasons);
  }
}
