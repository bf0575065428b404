package org.tinybert.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.BertConfig;
import org.tinybert.text.Vocab;

/**
 * Masked-LM proposals for words that are one WordPiece (the reference's {@code _masked_language_model}), batched
 * across words and sentences.
 *
 * <p>Each query is the reference's input: {@code [CLS] pieces-with-the-word-masked [SEP] pieces [SEP]}, segment 0 up
 * to the first {@code [SEP]} and 1 after, cut to {@code maxLength} positions (the reference's 512); a mask at or past
 * that is no query (no proposals). The proposals are the top K tokens of the masked position's logits, less those
 * starting with {@code ##}.
 *
 * <p>Batched: queries are ordered by length and packed {@code batchSize} at a time, padded to the longest of the
 * batch (padding masked out, so each input's outputs are those it has alone; sorted, a batch's lengths are close, and
 * padding to the longest wastes about 2% where rounding lengths up to a multiple of 8 wasted 9%). One forward pass per
 * batch, its last layer computed at the masked rows only ({@link BertModel#sequenceOutputRows}), which go through the
 * head ([M, H] to [M, V]), whose top K the model's {@link org.tinybert.model.core.Engine} finds. Proposals come back in
 * vocabulary-id order (see {@link GloveNeighbours} on why order is dropped).
 *
 * <p>Thread-safe when the model is.
 */
public final class MaskedLmCandidates {
  /**
   * Activation buffers this thread's {@link ArrayPool} may keep between forward passes. Batches come in many shapes
   * (one per padded length), and the pool keeps buffers by size, so without a bound it would fill with buffers of
   * shapes that never come back; a BERT-base pass over 32 x 128 tokens works in about 300 MB.
   */
  static final long POOL_BYTES = 1L << 30;

  /**
   * One word to mask.
   *
   * @param pieces the WordPieces of the whole text
   * @param piece index in {@code pieces} of the word's (only) piece
   */
  public record Query(List<String> pieces, int piece) {}

  /** Work done so far, for the benchmark and job counters. */
  public record Stats(long forwards, long inputs, long realTokens, long paddedTokens, long flops, long usefulFlops,
      long nanos) {}

  private final MaskedLm lm;
  private final int topK;
  private final int batchSize;
  private final int maxLength;
  private final LongAdder forwards = new LongAdder();
  private final LongAdder inputs = new LongAdder();
  private final LongAdder realTokens = new LongAdder();
  private final LongAdder paddedTokens = new LongAdder();
  private final LongAdder flops = new LongAdder();
  private final LongAdder usefulFlops = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  /**
   * @param topK proposals kept per masked word before {@code ##} pieces are dropped (the paper's K)
   * @param batchSize masked inputs per forward pass
   * @param maxSeqLength longest input, capped at the model's max_position_embeddings
   */
  public MaskedLmCandidates(MaskedLm lm, int topK, int batchSize, int maxSeqLength) {
    if (topK < 1 || batchSize < 1 || maxSeqLength < 3) {
      throw new IllegalArgumentException("topK and batchSize must be >= 1 and maxSeqLength >= 3, found " + topK + ", "
          + batchSize + ", " + maxSeqLength);
    }
    this.lm = lm;
    this.topK = topK;
    this.batchSize = batchSize;
    this.maxLength = Math.min(maxSeqLength, lm.model().config().maxPositionEmbeddings());
  }

  public MaskedLm maskedLm() {
    return lm;
  }

  /** The longest input fed to the model. */
  public int maxLength() {
    return maxLength;
  }

  public Stats stats() {
    return new Stats(forwards.sum(), inputs.sum(), realTokens.sum(), paddedTokens.sum(), flops.sum(),
        usefulFlops.sum(), nanos.sum());
  }

  /** The model input of one query. */
  public record Encoded(int[] ids, int[] segments, int mask) {
    public int length() {
      return ids.length;
    }
  }

  /** The query's input, or null when its mask falls past {@link #maxLength} (the reference's mask_id >= 512). */
  public Encoded encode(Query q) {
    Vocab vocab = lm.tokenizer().vocab();
    int n = q.pieces().size();
    int mask = q.piece() + 1;
    if (mask >= maxLength) return null;
    int full = 2 * n + 3;
    int len = Math.min(full, maxLength);
    int[] ids = new int[len];
    int[] seg = new int[len];
    int[] pieceIds = new int[n];
    for (int i = 0; i < n; i++) pieceIds[i] = vocab.idOrUnk(q.pieces().get(i));
    // [CLS] masked [SEP] original [SEP], then cut; segment 0 runs to the first [SEP].
    int[] all = new int[full];
    all[0] = vocab.clsId();
    System.arraycopy(pieceIds, 0, all, 1, n);
    all[mask] = vocab.maskId();
    all[n + 1] = vocab.sepId();
    System.arraycopy(pieceIds, 0, all, n + 2, n);
    all[full - 1] = vocab.sepId();
    System.arraycopy(all, 0, ids, 0, len);
    for (int i = n + 2; i < len; i++) seg[i] = 1;
    return new Encoded(ids, seg, mask);
  }

  /**
   * Proposals for every query, in query order, computed in batches. A query asked more than once (the same text and
   * word: MNLI repeats each premise for about three hypotheses) is computed once; its proposals depend on nothing
   * else.
   */
  public List<List<String>> candidates(List<Query> queries) {
    int n = queries.size();
    List<List<String>> out = new ArrayList<>(n);
    int[] firstOf = new int[n];
    Map<Query, Integer> seen = new HashMap<>();
    Encoded[] enc = new Encoded[n];
    for (int i = 0; i < n; i++) {
      Integer first = seen.putIfAbsent(queries.get(i), i);
      firstOf[i] = first == null ? i : first;
      if (firstOf[i] == i) enc[i] = encode(queries.get(i));
      out.add(List.of());
    }
    Integer[] order = IntStream.range(0, n).filter(i -> enc[i] != null).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> enc[i].length()));
    for (int from = 0; from < order.length; from += batchSize) {
      int b = Math.min(batchSize, order.length - from);
      Encoded[] batch = new Encoded[b];
      for (int i = 0; i < b; i++) batch[i] = enc[order[from + i]];
      List<List<String>> res = run(batch);
      for (int i = 0; i < b; i++) out.set(order[from + i], res.get(i));
    }
    for (int i = 0; i < n; i++) out.set(i, out.get(firstOf[i]));
    return out;
  }

  /**
   * The straightforward method, as the reference does it: one unpadded forward pass per word. For tests and the
   * benchmark.
   */
  public List<String> candidatesOneAtATime(Query q) {
    Encoded e = encode(q);
    if (e == null) return List.of();
    long t0 = System.nanoTime();
    int l = e.length();
    BertModel.Forward f = lm.model().forward(new BertBatch(1, l, e.ids(), e.segments(), ones(l)), false, false);
    INDArray logits = lm.model().mlmLogits(f, new int[][] {{0, e.mask()}}); // [1, V]
    f.release();
    trimPool();
    List<String> res = proposals(lm.model().engine().topK(logits, topK, null, null)[0]);
    count(1, l, new int[] {l}, true, t0);
    return res;
  }

  private List<List<String>> run(Encoded[] batch) {
    long t0 = System.nanoTime();
    int b = batch.length;
    int l = 0; // the batch's longest input
    for (Encoded e : batch) l = Math.max(l, e.length());
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    int[] rows = new int[b];
    int[] lengths = new int[b];
    for (int i = 0; i < b; i++) {
      Encoded e = batch[i];
      System.arraycopy(e.ids(), 0, ids, i * l, e.length());
      System.arraycopy(e.segments(), 0, seg, i * l, e.length());
      Arrays.fill(mask, i * l, i * l + e.length(), 1);
      rows[i] = i * l + e.mask();
      lengths[i] = e.length();
    }
    BertModel model = lm.model();
    INDArray masked = model.sequenceOutputRows(new BertBatch(b, l, ids, seg, mask), rows); // [B, H]
    INDArray logits = model.mlmLogitsForRows(masked); // [B, V]
    trimPool();
    int[][] best = model.engine().topK(logits, topK, null, null);
    List<List<String>> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) out.add(proposals(best[i]));
    count(b, l, lengths, false, t0);
    return out;
  }

  /** The words of the top-K token ids, in id order. */
  private List<String> proposals(int[] topIds) {
    int[] best = topIds.clone();
    Arrays.sort(best);
    List<String> words = new ArrayList<>(best.length);
    Vocab vocab = lm.tokenizer().vocab();
    for (int id : best) {
      // Ids past vocab.txt (a vocab_size padded for speed) have no token: never a word.
      if (id >= vocab.size()) continue;
      String t = vocab.token(id);
      if (!t.startsWith("##")) words.add(t);
    }
    return List.copyOf(words);
  }

  /** Keeps this thread's pool within {@link #POOL_BYTES}. */
  private static void trimPool() {
    ArrayPool pool = ArrayPool.local();
    if (pool.pooledBytes() > POOL_BYTES) pool.clear();
  }

  private void count(int b, int l, int[] lengths, boolean fullLastLayer, long t0) {
    nanos.add(System.nanoTime() - t0);
    forwards.increment();
    inputs.add(b);
    paddedTokens.add((long) b * l);
    long useful = 0;
    for (int len : lengths) {
      realTokens.add(len);
      useful += flops(lm.model().config(), 1, len, fullLastLayer);
    }
    flops.add(flops(lm.model().config(), b, l, fullLastLayer));
    usefulFlops.add(useful);
  }

  /**
   * Multiply-adds times two of one masked-LM pass over [B, L] with one masked row per input: per layer the four H x H
   * projections and the two H x I ones on B*L rows, and the attention products (B*N*L*L*D twice); with
   * {@code fullLastLayer} false the last layer past the query/key/value projection runs on the B masked rows only
   * (as the batched path does); then the head's H x H transform and H x V decoder per masked row. Element-wise work
   * is left out.
   */
  public static long flops(BertConfig c, int b, int l, boolean fullLastLayer) {
    long h = c.hiddenSize();
    long rows = (long) b * l;
    long afterQkv = h * h + 2 * h * c.intermediateSize();
    long perLayer = 2 * rows * (3 * h * h + afterQkv) + 4L * b * l * l * h;
    long last = fullLastLayer ? perLayer : 2 * rows * 3 * h * h + 2L * b * afterQkv + 4L * b * l * h;
    long head = 2L * b * (h * h + h * c.vocabSize());
    return perLayer * (c.numHiddenLayers() - 1) + last + head;
  }

  private static int[] ones(int n) {
    int[] a = new int[n];
    Arrays.fill(a, 1);
    return a;
  }
}
