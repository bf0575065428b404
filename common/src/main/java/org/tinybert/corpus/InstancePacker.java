package org.tinybert.corpus;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.tinybert.text.Vocab;

/**
 * Packs the tokenized sentences of one document into general-distillation instances, {@code [CLS] s1 s2 ... [SEP]}.
 *
 * <p>Follows the chunking of TinyBERT's {@code pregenerate_training_data.py} (itself Google BERT's
 * {@code create_instances_from_document}): the document draws one {@code target_seq_length}, which is
 * {@code max_num_tokens} or, with probability {@code short_seq_prob}, uniform in {@code [2, max_num_tokens]}; whole
 * sentences are accumulated until their token count reaches the target or the document ends, and each such chunk
 * becomes one instance. A chunk may overshoot (its last sentence is taken whole); it is then cut to
 * {@code max_num_tokens}.
 *
 * <p>How this differs from the script, on purpose: general distillation only needs the teacher's and the student's
 * representations of real text, so an instance is ONE segment. The script, even with {@code --oneseq}, still splits
 * every chunk into an A/B pair at a random sentence ({@code [CLS] A [SEP] B [SEP]}, segment ids 0 then 1,
 * {@code max_num_tokens = max_seq_length - 3}, a lone {@code "."} when B is empty), trims the pair by dropping tokens
 * at random from the front or the back of the longer side, and masks tokens: its
 * {@code max(1, round(n * masked_lm_prob))} rule replaces one token per instance (80% by {@code [MASK]}) even at its
 * default {@code masked_lm_prob} 0. Here there is no pair, no masking, {@code max_num_tokens = max_seq_length - 2},
 * all segment ids are 0, and an overshooting chunk loses its tail, deterministically. The only random choice left is
 * the target length.
 *
 * <p>Reproducible whatever the partitioning: the random source of a document is seeded from the settings' seed and a
 * stable hash of the document's text, never from a partition id or the order documents arrive in (the script uses one
 * global generator in file order).
 */
public final class InstancePacker implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int clsId;
  private final int sepId;
  private final int maxSeqLength;
  private final double shortSeqProb;
  private final long seed;

  public InstancePacker(int clsId, int sepId, int maxSeqLength, double shortSeqProb, long seed) {
    if (maxSeqLength < 4) {
      throw new IllegalArgumentException("max_seq_length must be >= 4 ([CLS], [SEP] and a target of at least 2 "
          + "tokens), found " + maxSeqLength);
    }
    if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
      throw new IllegalArgumentException("short_seq_prob must be in [0, 1], found " + shortSeqProb);
    }
    this.clsId = clsId;
    this.sepId = sepId;
    this.maxSeqLength = maxSeqLength;
    this.shortSeqProb = shortSeqProb;
    this.seed = seed;
  }

  public static InstancePacker of(Vocab vocab, int maxSeqLength, double shortSeqProb, long seed) {
    return new InstancePacker(vocab.clsId(), vocab.sepId(), maxSeqLength, shortSeqProb, seed);
  }

  public int maxSeqLength() {
    return maxSeqLength;
  }

  /** Tokens an instance holds besides {@code [CLS]} and {@code [SEP]}. */
  public int maxNumTokens() {
    return maxSeqLength - 2;
  }

  /** The {@code target_seq_length} of the document with this hash. */
  public int targetLength(long documentHash) {
    return targetLength(random(documentHash));
  }

  private SplittableRandom random(long documentHash) {
    return new SplittableRandom(StableHash.combine(seed, documentHash));
  }

  private int targetLength(SplittableRandom rng) {
    int max = maxNumTokens();
    return rng.nextDouble() < shortSeqProb ? rng.nextInt(2, max + 1) : max;
  }

  /**
   * The instances of one document.
   *
   * @param sentences the token ids of each sentence, in document order; a sentence may be empty
   * @param documentHash {@link Document#hash()}: seeds the target length and names the instances
   * @return instances in document order; none for a document without tokens
   */
  public List<PackedInstance> pack(List<int[]> sentences, long documentHash) {
    int target = targetLength(documentHash);
    int max = maxNumTokens();
    List<PackedInstance> out = new ArrayList<>();
    int[] chunk = new int[maxSeqLength];
    chunk[0] = clsId;
    int kept = 0; // tokens in the chunk after the cut to max_num_tokens
    int length = 0; // tokens of the chunk's whole sentences, what the target is compared with
    for (int i = 0; i < sentences.size(); i++) {
      int[] s = sentences.get(i);
      int take = Math.min(s.length, max - kept);
      System.arraycopy(s, 0, chunk, 1 + kept, take);
      kept += take;
      length += s.length;
      if (i == sentences.size() - 1 || length >= target) {
        if (kept > 0) {
          int[] ids = Arrays.copyOf(chunk, kept + 2);
          ids[kept + 1] = sepId;
          out.add(new PackedInstance(StableHash.combine(documentHash, out.size()), ids));
        }
        kept = 0;
        length = 0;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "InstancePacker(max_seq_length=" + maxSeqLength + ", short_seq_prob=" + shortSeqProb + ", seed=" + seed
        + ")";
  }
}
