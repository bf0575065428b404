package org.tinybert.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The SIMD-friendly erf and exp, and the GELU kernels built on them, against float64 references. */
class FloatMathTest {
  static double[] x;
  static double[] erf;
  static double[] gelu;
  static double[] geluGrad;

  @BeforeAll
  static void load() throws Exception {
    List<double[]> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        FloatMathTest.class.getResourceAsStream("/org/tinybert/model/erf_gelu.csv"), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#") || line.isBlank()) continue;
        String[] f = line.split(",");
        rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
            Double.parseDouble(f[3])});
      }
    }
    int n = rows.size();
    x = new double[n];
    erf = new double[n];
    gelu = new double[n];
    geluGrad = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rows.get(i)[0];
      erf[i] = rows.get(i)[1];
      gelu[i] = rows.get(i)[2];
      geluGrad[i] = rows.get(i)[3];
    }
    assertEquals(485, n);
  }

  static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  @Test
  void erfIsWithinAFewFloatUlps() {
    float[] in = floats(x);
    float[] out = new float[in.length];
    FloatMath.erf(in, 1f, out, in.length);
    double worst = 0;
    for (int i = 0; i < in.length; i++) worst = Math.max(worst, Math.abs(out[i] - erf[i]));
    assertTrue(worst <= 4e-7, "max |erf error| " + worst);
    assertEquals(0f, out[java.util.Arrays.binarySearch(x, 0.0)]);
  }

  @Test
  void expIsWithinOneUlpOnItsRangeAndZeroBelow() {
    int n = 200_001;
    float[] in = new float[n];
    for (int i = 0; i < n; i++) in[i] = (float) (-87.0 * i / (n - 1));
    float[] out = new float[n];
    FloatMath.exp(in, out, new float[n], n);
    for (int i = 0; i < n; i++) {
      double e = Math.exp(in[i]);
      assertTrue(Math.abs(out[i] - e) <= Math.ulp((float) e), "exp(" + in[i] + ") = " + out[i] + ", expected " + e);
    }
    float[] far = {-88f, -100f, -10000f, Float.NEGATIVE_INFINITY};
    FloatMath.exp(far, far, new float[4], 4);
    for (float v : far) assertEquals(0f, v);
  }

  @Test
  void geluAndItsGradientMatchTheReference() {
    INDArray in = Nd4j.createFromArray(floats(x));
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.length);
    ActivationKernels.gelu(in, y);
    INDArray dy = Nd4j.ones(DataType.FLOAT, x.length);
    INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, x.length);
    ActivationKernels.geluBackward(dy, in, dx);
    for (int i = 0; i < x.length; i++) {
      assertEquals(gelu[i], y.getDouble(i), 1e-6 * Math.max(1, Math.abs(x[i])), "gelu(" + x[i] + ")");
      assertEquals(geluGrad[i], dx.getDouble(i), 1e-6, "gelu'(" + x[i] + ")");
    }
  }
}
