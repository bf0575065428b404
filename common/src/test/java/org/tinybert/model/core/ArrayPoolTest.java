package org.tinybert.model.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ArrayPoolTest {
  final ArrayPool pool = ArrayPool.local();

  @BeforeEach
  @AfterEach
  void clear() {
    pool.clear(); // the pool is per thread, and other tests in this JVM may have left buffers in it
  }

  @Test
  void aBufferGivenBackIsHandedOutAgainInAnyShapeOfItsSize() {
    INDArray a = pool.take(4, 6);
    pool.give(a);
    assertEquals(24L * Float.BYTES, pool.pooledBytes());
    INDArray b = pool.take(2, 3, 4);
    assertSame(a.data(), b.data());
    assertArrayEquals(new long[] {2, 3, 4}, b.shape());
    assertEquals('c', b.ordering());
    assertEquals(0, pool.pooledBytes());
    assertNotSame(a.data(), pool.take(24).data(), "nothing left to reuse");
  }

  @Test
  void viewsDoublesAndOtherTypesAreNotPooled() {
    INDArray a = pool.take(4, 6);
    pool.give(a.getRow(1));
    pool.give(Nd4j.zeros(DataType.DOUBLE, 3));
    assertEquals(0, pool.pooledBytes());
    pool.give(a);
    pool.give(a);
    assertEquals(24L * Float.BYTES, pool.pooledBytes(), "a buffer given twice is pooled once");
  }

  @Test
  void zerosAreZeroEvenFromAUsedBuffer() {
    INDArray a = pool.take(8);
    a.assign(3);
    pool.give(a);
    assertEquals(0.0, pool.zeros(2, 4).sumNumber().doubleValue());
  }
}
