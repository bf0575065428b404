package org.tinybert.model.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.FloatBuffer;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bounded-heap top K against a full sort. */
class TopKTest {
  /** Indices sorted by value descending, then index ascending; NaN and skipped ones left out. */
  static int[] bySort(float[] v, int k, java.util.function.IntPredicate skip) {
    return IntStream.range(0, v.length).filter(i -> !Float.isNaN(v[i]) && (skip == null || !skip.test(i))).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -v[i]).thenComparing(i -> i)).limit(k)
        .mapToInt(Integer::intValue).toArray();
  }

  @ParameterizedTest(name = "n={0} k={1} distinct={2}")
  @CsvSource({"1000, 15, 1000", "1000, 15, 7", "10, 15, 10", "40, 1, 3", "0, 5, 1"})
  void equalsAFullSort(int n, int k, int distinct) {
    Random r = new Random(n * 31L + k);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = r.nextInt(distinct) / (float) distinct;
    assertArrayEquals(bySort(v, k, null), TopK.largest(FloatBuffer.wrap(v), 0, n, k, null));
    assertArrayEquals(bySort(v, k, i -> i % 3 == 0), TopK.largest(FloatBuffer.wrap(v), 0, n, k, i -> i % 3 == 0));
  }

  @Test
  void nanNeverWinsAndOffsetsAreRespected() {
    float[] row = {9, 9, Float.NaN, 1, 5, Float.NaN, 5, -3};
    float[] buf = new float[row.length + 3];
    System.arraycopy(row, 0, buf, 3, row.length);
    assertArrayEquals(new int[] {0, 1, 4, 6, 3, 7}, TopK.largest(FloatBuffer.wrap(buf), 3, row.length, 10, null));
  }
}
