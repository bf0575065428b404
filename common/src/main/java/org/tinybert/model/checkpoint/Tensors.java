package org.tinybert.model.checkpoint;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** float32 'c'-order arrays from and to Java arrays, including the scalar and empty shapes ND4J treats apart. */
final class Tensors {
  private Tensors() {}

  static INDArray create(float[] data, long[] shape) {
    long numel = numel(shape);
    if (numel != data.length) {
      throw new IllegalStateException(data.length + " values for shape " + Arrays.toString(shape));
    }
    if (shape.length == 0) return Nd4j.scalar(data[0]);
    if (numel == 0) return Nd4j.create(DataType.FLOAT, shape);
    return Nd4j.create(data, shape, 'c');
  }

  /** The elements in 'c' order as float32, whatever the array's type, order or view offset. */
  static float[] toFloats(INDArray a) {
    if (a.isEmpty()) return new float[0];
    INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
    float[] out = f.dup('c').data().asFloat();
    if (out.length != a.length()) throw new IllegalStateException(out.length + " values for " + a.shapeInfoToString());
    return out;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  /** {@code [3, 4]}, the way shapes appear in messages. */
  static String shape(long[] shape) {
    return Arrays.toString(shape);
  }
}
