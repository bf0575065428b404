package org.tinybert.augment;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.tinybert.config.AugmentSettings;

/**
 * One partition's output, made a chunk of input rows at a time as Spark pulls it, so a partition never has to fit in
 * memory; the masked LM's and GloVe's word counts go to the accumulators once the partition is done. The GLUE line
 * pipeline and the task-table pipeline differ only in what a row is and what they emit ({@link #fill}).
 *
 * @param <I> an input row
 * @param <O> what the partition emits
 */
abstract class ChunkedAugmenter<I, O> implements Iterator<O> {
  protected final Iterator<I> in;
  protected final Augmenter augmenter;
  protected final RowAugmenter rows;
  protected final int chunkRows;
  protected final boolean side;
  protected final ArrayDeque<O> ready = new ArrayDeque<>();
  private final LongAccumulator mlmWords;
  private final LongAccumulator gloveWords;
  private boolean counted;

  ChunkedAugmenter(AugmentSettings s, int variants, Broadcast<GloveVectors> glove, SerializableConfiguration conf,
      int[] textColumns, boolean side, LongAccumulator mlmWords, LongAccumulator gloveWords, Iterator<I> in) {
    this.in = in;
    this.side = side;
    this.mlmWords = mlmWords;
    this.gloveWords = gloveWords;
    this.augmenter = AugmentPipeline.augmenter(s, glove, conf);
    this.rows = new RowAugmenter(augmenter, new Replacer(s.replaceProbability(), variants), textColumns, s.seed());
    this.chunkRows = Math.max(1, s.batchSize() * AugmentPipeline.ROWS_PER_BATCH_SLOT);
  }

  /** Reads up to {@link #chunkRows} rows of {@link #in} and puts what they make into {@link #ready}. */
  protected abstract void fill();

  @Override
  public final boolean hasNext() {
    while (ready.isEmpty() && in.hasNext()) fill();
    if (ready.isEmpty() && !counted) {
      counted = true;
      mlmWords.add(augmenter.mlmWords());
      gloveWords.add(augmenter.gloveWords());
    }
    return !ready.isEmpty();
  }

  @Override
  public final O next() {
    if (!hasNext()) throw new NoSuchElementException();
    return ready.poll();
  }
}
