package org.tinybert.corpus;

import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * One epoch's minibatches as {@link MinibatchExporter} left them.
 *
 * @param dir {@code <instance dir>/epoch-E}
 * @param batches number of minibatch files
 * @param instances instances the epoch draws from
 * @param batches number of minibatch files: every instance is in one, the last holding what is left
 * @param lastBatchSize examples of the last minibatch file (index {@code batches - 1}): {@code batchSize}, or fewer
 *     where the instances do not divide
 * @param reused true when a complete export (its {@code _DONE} marker matching) was found and kept
 * @param batchPaths every minibatch file, fully qualified, in a seeded order: what {@code fitPaths} takes
 */
public record MinibatchExport(Path dir, int epoch, int batchSize, int maxSeqLength, long seed, long batches,
    long instances, int lastBatchSize, boolean reused, List<String> batchPaths) {

  public MinibatchExport {
    batchPaths = List.copyOf(batchPaths);
  }

  /** Examples of the minibatch at {@code position} of {@link #batchPaths}, the epoch's training order. */
  public int examplesAt(int position) {
    String last = MinibatchExporter.batchPath(dir, batches - 1).toString();
    return batchPaths.get(position).equals(last) ? lastBatchSize : batchSize;
  }

  /** The loader training needs for these files. */
  public MinibatchLoader loader() {
    return new MinibatchLoader(batchSize, maxSeqLength);
  }

  /** One line for logs and run summaries. */
  public String summary() {
    return "epoch " + epoch + ": " + (reused ? "reused " : "exported ") + batches + " minibatches of " + batchSize
        + " from " + instances + " instances"
        + (lastBatchSize < batchSize ? " (one of " + lastBatchSize + ")" : "")
        + ", at " + dir;
  }
}
