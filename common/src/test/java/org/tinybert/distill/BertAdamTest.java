package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * BertAdam's update on DL4J's views (state [1, 2n], gradient at an offset), chunked and split over the cores, against
 * the same formula written plainly in float: the results must agree to the last bit or two.
 */
class BertAdamTest {

  @ParameterizedTest(name = "bias correction {0}")
  @ValueSource(booleans = {false, true})
  void threeStepsFollowTheFormula(boolean biasCorrection) {
    int n = 100_003; // more than one chunk per core, and a partial last chunk
    double lr = 1e-3;
    BertAdam config = biasCorrection ? BertAdam.adamW(lr, null) : BertAdam.bertAdam(lr, null);
    INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
    GradientUpdater<BertAdam> u = config.instantiate(state, true);
    float[] m = new float[n];
    float[] v = new float[n];
    float eps = (float) config.getEpsilon();
    Random rnd = new Random(5);
    for (int step = 0; step < 3; step++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) g[i] = (float) (rnd.nextGaussian() * (i % 7 == 0 ? 1e-4 : 1));
      INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, n + 5L);
      INDArray grad = flat.get(NDArrayIndex.all(), NDArrayIndex.interval(5, n + 5));
      grad.assign(Nd4j.createFromArray(g).reshape(1, n));
      u.applyUpdater(grad, step, 0);
      double alpha = lr;
      if (biasCorrection) alpha = lr * Math.sqrt(1 - Math.pow(0.999, step + 1)) / (1 - Math.pow(0.9, step + 1));
      float a = (float) alpha;
      float[] got = grad.dup().data().asFloat();
      for (int i = 0; i < n; i++) {
        m[i] = 0.9f * m[i] + 0.1f * g[i];
        v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
        float expected = a * m[i] / ((float) Math.sqrt(v[i]) + eps);
        assertEquals(expected, got[i], 2 * Math.ulp(expected), "step " + step + " element " + i);
      }
      assertEquals(0.0, flat.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 5)).sumNumber().doubleValue());
    }
    float[] s = state.dup().data().asFloat();
    for (int i = 0; i < n; i++) {
      assertEquals(m[i], s[i], 2 * Math.ulp(m[i]), "first moment " + i);
      assertEquals(v[i], s[n + i], 2 * Math.ulp(v[i]), "second moment " + i);
    }
  }
}
