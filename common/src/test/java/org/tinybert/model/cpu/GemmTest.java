package org.tinybert.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Strided blocks, offsets, views and accumulation of {@link Gemm} against ND4J's matrix product. */
class GemmTest {
  static INDArray rand(long... shape) {
    Nd4j.getRandom().setSeed(shape[0] * 31 + shape[1]);
    return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
  }

  @Test
  void headBlocksOfAFusedProjectionAreReadInPlace() {
    // [L=5, 3H=12] rows of q|k|v with 2 heads of D=2: head 1's q block times head 1's k block transposed.
    INDArray qkv = rand(5, 12);
    INDArray out = Nd4j.zeros(DataType.FLOAT, 3, 5, 5);
    Gemm.gemm(false, true, 5, 5, 2, 0.5f, qkv, 2, 12, qkv, 4 + 2, 12, 0f, out, 25, 5);
    INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 4));
    INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(6, 8));
    INDArray expected = q.mmul(k.transpose()).muli(0.5);
    assertTrue(expected.equalsWithEps(out.get(NDArrayIndex.point(1)), 1e-6));
    assertEquals(0.0, out.get(NDArrayIndex.point(0)).sumNumber().doubleValue());
    assertEquals(0.0, out.get(NDArrayIndex.point(2)).sumNumber().doubleValue());
  }

  @Test
  void accumulatesIntoAViewWithTransposedA() {
    INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, 40);
    INDArray view = flat.reshape(40).get(NDArrayIndex.interval(10, 22)).reshape('c', 3, 4); // offset 10
    view.assign(1);
    INDArray dy = rand(6, 3);
    INDArray x = rand(6, 4);
    Gemm.gemm(dy, true, x, false, view, 1f, 1f);
    INDArray expected = dy.transpose().mmul(x).addi(1);
    assertTrue(expected.equalsWithEps(view, 1e-6), view + " vs " + expected);
    assertEquals(0.0, flat.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10)).sumNumber().doubleValue());
    assertEquals(0.0, flat.get(NDArrayIndex.all(), NDArrayIndex.interval(22, 40)).sumNumber().doubleValue());
  }

  @Test
  void aBlockOutsideItsArrayIsRefused() {
    INDArray a = rand(4, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 4, 4, 4, 1f, a, 1, 4, a, 0, 4, 0f, Nd4j.zeros(DataType.FLOAT, 4, 4), 0, 4));
    assertTrue(e.getMessage().contains("block [4, 4] with row stride 4 at offset 1 does not fit an array of 16"),
        e.getMessage());
  }
}
