package org.tinybert.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * How the corpus becomes instances (the tokenizer, with its {@code do_lower_case}, is given beside it).
 *
 * @param corpus files, directories (recursive) or globs on any Hadoop file system
 * @param maxSeqLength {@code max_seq_length}: [CLS], up to {@code max_seq_length - 2} tokens, [SEP]
 * @param shortSeqProb {@code short_seq_prob}: chance that a document packs to a shorter random target
 * @param seed seeds the target lengths (and, elsewhere, the minibatch shuffle)
 * @param skipInvalidUtf8 drop and count lines that are not UTF-8 instead of failing
 * @param minInputPartitions when > 0, read the corpus in at least this many splits; 0 keeps Hadoop's split size. The
 *     instances do not depend on it.
 */
public record InstanceSettings(List<String> corpus, int maxSeqLength, double shortSeqProb, long seed,
    boolean skipInvalidUtf8, int minInputPartitions) {

  public InstanceSettings {
    corpus = List.copyOf(corpus);
    List<String> problems = new ArrayList<>();
    if (corpus.isEmpty()) problems.add("corpus must name at least one path, found none");
    if (maxSeqLength < 4) {
      problems.add("max_seq_length must be >= 4 ([CLS], [SEP] and a target of at least 2 tokens), found "
          + maxSeqLength);
    }
    if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
      problems.add("short_seq_prob must be in [0, 1], found " + shortSeqProb);
    }
    if (minInputPartitions < 0) problems.add("min input partitions must be >= 0, found " + minInputPartitions);
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
  }

  /** TinyBERT's defaults ({@code max_seq_len} 128, {@code short_seq_prob} 0.1), strict UTF-8, Hadoop's splits. */
  public static InstanceSettings of(List<String> corpus, long seed) {
    return new InstanceSettings(corpus, 128, 0.1, seed, false, 0);
  }

  public InstanceSettings withMaxSeqLength(int v) {
    return new InstanceSettings(corpus, v, shortSeqProb, seed, skipInvalidUtf8, minInputPartitions);
  }

  public InstanceSettings withShortSeqProb(double v) {
    return new InstanceSettings(corpus, maxSeqLength, v, seed, skipInvalidUtf8, minInputPartitions);
  }

  public InstanceSettings withSeed(long v) {
    return new InstanceSettings(corpus, maxSeqLength, shortSeqProb, v, skipInvalidUtf8, minInputPartitions);
  }

  public InstanceSettings withSkipInvalidUtf8(boolean v) {
    return new InstanceSettings(corpus, maxSeqLength, shortSeqProb, seed, v, minInputPartitions);
  }

  public InstanceSettings withMinInputPartitions(int v) {
    return new InstanceSettings(corpus, maxSeqLength, shortSeqProb, seed, skipInvalidUtf8, v);
  }
}
