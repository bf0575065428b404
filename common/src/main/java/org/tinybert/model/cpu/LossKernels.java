package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.contiguous;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TinyBERT's losses and their gradients with respect to the student's outputs, accumulated in double precision over
 * float32 activations: the MSEs over chunks of the buffers split over the cores, the cross-entropies over the small
 * [B, C] logits in plain loops.
 */
final class LossKernels {
  private LossKernels() {}

  /**
   * Mean squared error; with {@code zeroMasked}, entries <= -100 become 0 first (in student and teacher alike), and the
   * gradient through a zeroed student entry is 0. Writes weight * d(mse)/d(student) into {@code grad} when given.
   * Chunks of the arrays are copied to Java arrays and split over the cores, so the arithmetic compiles to SIMD.
   */
  static double mse(INDArray student, INDArray teacher, boolean zeroMasked, double weight, INDArray grad) {
    FloatBuffer sb = buf(contiguous(student));
    FloatBuffer tb = buf(contiguous(teacher));
    FloatBuffer gb = grad != null ? buf(grad) : null;
    int n = (int) student.length();
    float scale = (float) (2.0 * weight / n);
    int chunk = 4096;
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / (4 * chunk)));
    int per = (n + threads - 1) / threads;
    double[] partial = new double[threads];
    IntStream.range(0, threads).parallel().forEach(th -> {
      float[] sv = new float[chunk];
      float[] tv = new float[chunk];
      double sum = 0;
      for (int from = th * per; from < Math.min(n, (th + 1) * per); from += chunk) {
        int m = Math.min(chunk, Math.min(n, (th + 1) * per) - from);
        sb.get(from, sv, 0, m);
        tb.get(from, tv, 0, m);
        if (zeroMasked) {
          for (int i = 0; i < m; i++) {
            // 1 above -100, 0 at or below it (the float spacing near -100 is 7.6e-6, and 7.6e-6 * 2^30 > 1).
            float ks = Math.min(1f, Math.max(0f, (sv[i] + 100f) * 0x1p30f));
            float kt = Math.min(1f, Math.max(0f, (tv[i] + 100f) * 0x1p30f));
            float d = sv[i] * ks - tv[i] * kt;
            tv[i] = d * d;
            sv[i] = scale * d * ks;
          }
        } else {
          for (int i = 0; i < m; i++) {
            float d = sv[i] - tv[i];
            tv[i] = d * d;
            sv[i] = scale * d;
          }
        }
        if (gb != null) gb.put(from, sv, 0, m);
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < m; i += 2) {
          s0 += tv[i];
          s1 += tv[i + 1];
        }
        if (i < m) s0 += tv[i];
        sum += s0 + s1;
      }
      partial[th] = sum;
    });
    double sum = 0;
    for (double p : partial) sum += p;
    return sum / n;
  }

  /** (-softmax(t/T) * log_softmax(s/T)).mean() over B*C; gradient (softmax(s/T) - softmax(t/T)) / (T*B*C). */
  static double softCrossEntropy(INDArray student, INDArray teacher, double temperature, double weight, INDArray grad) {
    int b = (int) student.size(0);
    int c = (int) student.size(1);
    float[][] s = student.toFloatMatrix();
    float[][] t = teacher.toFloatMatrix();
    double sum = 0;
    double gscale = weight / (temperature * b * c);
    for (int i = 0; i < b; i++) {
      double[] ls = logSoftmax(s[i], temperature);
      double[] lt = logSoftmax(t[i], temperature);
      for (int j = 0; j < c; j++) {
        double pt = Math.exp(lt[j]);
        sum += -pt * ls[j];
        if (grad != null) grad.putScalar(i, j, grad.getFloat(i, j) + (float) (gscale * (Math.exp(ls[j]) - pt)));
      }
    }
    return sum / ((double) b * c);
  }

  private static double[] logSoftmax(float[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) max = Math.max(max, v / temperature);
    double sum = 0;
    for (float v : z) sum += Math.exp(v / temperature - max);
    double lse = max + Math.log(sum);
    double[] out = new double[z.length];
    for (int j = 0; j < z.length; j++) out[j] = z[j] / temperature - lse;
    return out;
  }

  /** Mean cross-entropy of the logits against gold class indices; gradient (softmax - onehot) / B. */
  static double crossEntropy(INDArray student, int[] labels, double weight, INDArray grad) {
    int b = (int) student.size(0);
    int c = (int) student.size(1);
    float[][] s = student.toFloatMatrix();
    double sum = 0;
    for (int i = 0; i < b; i++) {
      int y = labels[i];
      double[] ls = logSoftmax(s[i], 1.0);
      sum -= ls[y];
      if (grad != null) {
        for (int j = 0; j < c; j++) {
          double d = Math.exp(ls[j]) - (j == y ? 1 : 0);
          grad.putScalar(i, j, grad.getFloat(i, j) + (float) (weight * d / b));
        }
      }
    }
    return sum / b;
  }

  /** MSE of the student's first logit against gold labels (TinyBERT's STS-B prediction stage). */
  static double regressionMse(INDArray student, float[] labels, double weight, INDArray grad) {
    int b = (int) student.size(0);
    double sum = 0;
    for (int i = 0; i < b; i++) {
      double d = student.getDouble(i, 0) - labels[i];
      sum += d * d;
      if (grad != null) grad.putScalar(i, 0, grad.getFloat(i, 0) + (float) (2.0 * weight * d / b));
    }
    return sum / b;
  }
}
