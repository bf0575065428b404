package org.tinybert.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;

/**
 * The K nearest GloVe words by cosine, for the words of several WordPieces (the reference's {@code _word_distance}).
 *
 * <p>Queries are answered in batches: the unit vectors of up to {@code queryBatch} words form a [Q, D] matrix whose
 * product with the whole vocabulary's [V, D] matrix gives every cosine at once ([Q, V], one GEMM), then the top K of
 * each row. Answers are cached per word, so a word met again (in this partition or a later one on the same executor)
 * costs nothing. The query word itself and zero rows are never neighbours. Neighbours are returned in vocabulary order
 * (GloVe's frequency order), not by score: the replacer picks one uniformly, so order carries no meaning, and a
 * fixed order keeps the output independent of how rounding in differently shaped products breaks near-ties.
 *
 * <p>Thread-safe: executor threads may share one instance.
 */
public final class GloveNeighbours {
  private final GloveVectors glove;
  private final int k;
  private final int queryBatch;
  private final Engine engine;
  /** Rows that are never neighbours: zero vectors. */
  private final boolean[] unusable;
  private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

  /** On the {@code auto} engine of this JVM's backend. */
  public GloveNeighbours(GloveVectors glove, int k, int queryBatch) {
    this(glove, k, queryBatch, EngineChoice.AUTO.resolve());
  }

  /**
   * @param k neighbours per word (the paper's K)
   * @param queryBatch query words per matrix product; the product's [Q, V] floats bound the memory it takes
   * @param engine what finds each row's top K
   */
  public GloveNeighbours(GloveVectors glove, int k, int queryBatch, Engine engine) {
    if (k < 1 || queryBatch < 1) {
      throw new IllegalArgumentException("k and queryBatch must be >= 1, found " + k + " and " + queryBatch);
    }
    this.glove = glove;
    this.k = k;
    this.queryBatch = queryBatch;
    this.engine = engine;
    this.unusable = new boolean[glove.size()];
    for (int j = 0; j < unusable.length; j++) unusable[j] = !glove.usable(j);
  }

  public GloveVectors vectors() {
    return glove;
  }

  /** Words answered so far (cached). */
  public int cached() {
    return cache.size();
  }

  /**
   * The neighbours of each of {@code words} (empty for a word GloVe lacks or has no vector for), computed in
   * batches for the words not yet cached.
   */
  public Map<String, List<String>> nearest(Collection<String> words) {
    Map<String, List<String>> out = new HashMap<>();
    List<String> todo = new ArrayList<>();
    for (String w : new LinkedHashSet<>(words)) {
      List<String> c = cache.get(w);
      if (c != null) {
        out.put(w, c);
      } else if (glove.indexOf(w) < 0 || !glove.usable(glove.indexOf(w))) {
        out.put(w, List.of());
      } else {
        todo.add(w);
      }
    }
    for (int from = 0; from < todo.size(); from += queryBatch) {
      List<String> batch = todo.subList(from, Math.min(todo.size(), from + queryBatch));
      int[] rows = new int[batch.size()];
      for (int i = 0; i < rows.length; i++) rows[i] = glove.indexOf(batch.get(i));
      // One native op (getRows copies row by row, an op each).
      INDArray q = Nd4j.pullRows(glove.matrix(), 1, rows); // [Q, D]
      INDArray cos = Nd4j.gemm(q, glove.matrix(), false, true); // [Q, V]
      int[][] best = engine.topK(cos, k, rows, unusable);
      for (int i = 0; i < rows.length; i++) {
        List<String> n = words(best[i]);
        cache.put(batch.get(i), n);
        out.put(batch.get(i), n);
      }
    }
    return out;
  }

  /**
   * The straightforward method, as the reference does it: one [1, D] x [D, V] product per word, nothing cached. For
   * tests and the benchmark.
   */
  public List<String> nearestOne(String word) {
    int row = glove.indexOf(word);
    if (row < 0 || !glove.usable(row)) return List.of();
    INDArray cos = Nd4j.gemm(glove.matrix().getRow(row, true), glove.matrix(), false, true); // [1, V]
    return words(engine.topK(cos, k, new int[] {row}, unusable)[0]);
  }

  /** The words of the top-K rows, in vocabulary order. */
  private List<String> words(int[] top) {
    int[] best = top.clone();
    Arrays.sort(best);
    List<String> words = new ArrayList<>(best.length);
    for (int j : best) words.add(glove.word(j));
    return List.copyOf(words);
  }
}
