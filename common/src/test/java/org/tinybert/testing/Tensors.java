package org.tinybert.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Tensor comparisons with the fixtures' tolerances. */
public final class Tensors {
  private Tensors() {}

  public static double maxAbsDiff(INDArray actual, INDArray expected) {
    return Transforms.abs(actual.castTo(DataType.DOUBLE).reshape(expected.shape()).sub(expected.castTo(DataType.DOUBLE)))
        .maxNumber().doubleValue();
  }

  public static void assertClose(String what, INDArray expected, INDArray actual, double tol) {
    assertArrayEquals(expected.shape(), actual.reshape(expected.shape()).shape(), what + ": shape");
    double d = maxAbsDiff(actual, expected);
    assertTrue(d <= tol, what + ": max |diff| " + d + " > " + tol);
  }

  /** Gradients: abs 1e-4 * max|expected|. */
  public static void assertGradientClose(String what, INDArray expected, INDArray actual) {
    double scale = Transforms.abs(expected).maxNumber().doubleValue();
    assertClose(what, expected, actual, 1e-4 * Math.max(scale, 1e-12));
  }

  /** Attention scores: unmasked entries abs 1e-4; masked entries (<= -100 in the reference) only need <= -100. */
  public static void assertScoresClose(String what, INDArray expected, INDArray actual) {
    float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] a = actual.castTo(DataType.FLOAT).dup('c').data().asFloat();
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    for (int i = 0; i < e.length; i++) {
      if (e[i] <= -100f) {
        assertTrue(a[i] <= -100f, what + "[" + i + "] masked entry " + a[i] + " > -100");
      } else {
        assertTrue(Math.abs(a[i] - e[i]) <= 1e-4, what + "[" + i + "] " + a[i] + " vs " + e[i]);
      }
    }
  }

  public static void assertRelClose(String what, double expected, double actual, double rel) {
    assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected),
        what + ": " + actual + " vs " + expected + " (rel " + Math.abs(actual - expected) / Math.abs(expected) + ")");
  }
}
