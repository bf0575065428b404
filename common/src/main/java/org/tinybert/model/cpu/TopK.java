package org.tinybert.model.cpu;

import java.nio.FloatBuffer;
import java.util.function.IntPredicate;

/**
 * The k largest entries of a row of scores (masked-LM logits over the vocabulary, cosines over GloVe words), best
 * first. A bounded heap: one pass over the row and no full sort, since k (15) is tiny next to the row (30,522 or
 * 100,000). Ties go to the lower index and NaN never wins, so the result is a function of the scores alone.
 */
final class TopK {
  private TopK() {}

  /**
   * Indices of the {@code k} largest of {@code row[offset .. offset + n)}, best first, skipping indices for which
   * {@code skip} holds (may be null); fewer than k when fewer are eligible.
   */
  static int[] largest(FloatBuffer row, int offset, int n, int k, IntPredicate skip) {
    int[] heap = new int[k]; // a min-heap by (score, -index): heap[0] is the worst kept
    float[] score = new float[k];
    int size = 0;
    for (int i = 0; i < n; i++) {
      float v = row.get(offset + i);
      if (Float.isNaN(v) || (skip != null && skip.test(i))) continue;
      if (size < k) {
        heap[size] = i;
        score[size] = v;
        siftUp(heap, score, size++);
      } else if (better(v, i, score[0], heap[0])) {
        heap[0] = i;
        score[0] = v;
        siftDown(heap, score, 0, size);
      }
    }
    int[] out = new int[size];
    for (int j = size - 1; j >= 0; j--) {
      out[j] = heap[0];
      heap[0] = heap[j];
      score[0] = score[j];
      siftDown(heap, score, 0, j);
    }
    return out;
  }

  private static boolean better(float v, int i, float w, int j) {
    return v > w || (v == w && i < j);
  }

  private static void siftUp(int[] heap, float[] score, int at) {
    while (at > 0) {
      int parent = (at - 1) >> 1;
      if (!better(score[parent], heap[parent], score[at], heap[at])) break;
      swap(heap, score, at, parent);
      at = parent;
    }
  }

  private static void siftDown(int[] heap, float[] score, int at, int size) {
    while (true) {
      int l = 2 * at + 1;
      if (l >= size) return;
      int worst = l;
      int r = l + 1;
      if (r < size && better(score[l], heap[l], score[r], heap[r])) worst = r;
      if (!better(score[at], heap[at], score[worst], heap[worst])) return;
      swap(heap, score, at, worst);
      at = worst;
    }
  }

  private static void swap(int[] heap, float[] score, int a, int b) {
    int h = heap[a];
    heap[a] = heap[b];
    heap[b] = h;
    float s = score[a];
    score[a] = score[b];
    score[b] = s;
  }
}
