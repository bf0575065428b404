package org.tinybert.corpus;

import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * One epoch's minibatches as {@link MinibatchExporter} left them.
 *
 * @param dir {@code <instance dir>/epoch-E}
 * @param batches number of minibatch files
 * @param instances instances the epoch draws from
 * @param droppedInstances instances of the last, partial minibatch, which is not written ({@code instances mod
 *     batchSize})
 * @param reused true when a complete export (its {@code _DONE} marker matching) was found and kept
 * @param batchPaths every minibatch file, fully qualified, in a seeded order: what {@code fitPaths} takes
 */
public record MinibatchExport(Path dir, int epoch, int batchSize, int maxSeqLength, long seed, long batches,
    long instances, long droppedInstances, boolean reused, List<String> batchPaths) {

  public MinibatchExport {
    batchPaths = List.copyOf(batchPaths);
  }

  /** The loader {@code fitPaths} needs for these files. */
  public MinibatchLoader loader() {
    return new MinibatchLoader(batchSize, maxSeqLength);
  }

  /** One line for logs and run summaries. */
  public String summary() {
    return "epoch " + epoch + ": " + (reused ? "reused " : "exported ") + batches + " minibatches of " + batchSize
        + " from " + instances + " instances"
        + (droppedInstances > 0 ? ", the last partial minibatch of " + droppedInstances + " instances dropped" : "")
        + ", at " + dir;
  }
}
