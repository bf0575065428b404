package org.tinybert.distill;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.ArrayPool;
import org.tinybert.model.BertModel;
import org.tinybert.model.Kernels;

/**
 * TinyBERT's losses between one teacher and one student forward pass, with their gradients with respect to the
 * student's outputs (which {@link BertModel#backward} then takes through the student).
 *
 * <p>Values are accumulated in double precision over float32 activations. Definitions (paper, Section 3.1):
 * <ul>
 *   <li>attention (Eq. 7): sum over student layers of MSE(A_S, A_T) on the masked pre-softmax scores, with entries
 *       <= -100 (i.e. masked keys, which carry -10000) set to 0 in both, so padding contributes nothing but zeros;
 *   <li>embedding (Eq. 9) and hidden (Eq. 8): MSE(fit_dense(H_S), H_T), mean over B*L*H_teacher, padding included;
 *   <li>prediction (Eq. 10): mean over B*C of -softmax(z_T/t) * log_softmax(z_S/t), without a t^2 factor;
 *       for regression tasks MSE of the student's first logit against the gold label.
 * </ul>
 */
public final class DistillationLoss {
  private final LayerMapping mapping;
  private final LossWeights weights;

  public DistillationLoss(LayerMapping mapping, LossWeights weights) {
    this.mapping = mapping;
    this.weights = weights;
  }

  public LayerMapping mapping() {
    return mapping;
  }

  public LossWeights weights() {
    return weights;
  }

  /** Loss values of one batch. {@code total} is the weighted sum the student minimises. */
  public record Result(double attention, double[] attentionPerLayer, double embedding, double hidden,
      double[] representationPerLayer, double prediction, double label, double total) {

    public double representation() {
      return embedding + hidden;
    }

    @Override
    public String toString() {
      return String.format("total %.6f (att %.6f, emb %.6f, hidden %.6f, pred %.6f, label %.6f)", total, attention,
          embedding, hidden, prediction, label);
    }
  }

  /**
   * Computes the losses; when {@code grads} is not null, fills it with d(total)/d(student output).
   *
   * @param labels gold labels (class index, or the value for regression), one per example; needed by the label loss
   */
  public Result compute(BertModel.Forward teacher, BertModel.Forward student, float[] labels,
      BertModel.OutputGrads grads) {
    int s = mapping.studentLayers();
    double[] attPer = new double[s];
    double[] repPer = new double[s + 1];
    double att = 0;
    double emb = 0;
    double hidden = 0;
    double pred = 0;
    int[] attMap = mapping.attentionTeacherLayer();
    int[] repMap = mapping.representationTeacherIndex();
    if (weights.attention() > 0) {
      for (int m = 0; m < s; m++) {
        INDArray ss = student.attentionScores.get(m);
        INDArray ts = teacher.attentionScores.get(attMap[m]);
        requireSameShape("attention scores of student layer " + (m + 1), ss, ts);
        INDArray g = grads != null ? ArrayPool.local().take(ss.shape()) : null;
        attPer[m] = mse(ss, ts, true, weights.attention(), g);
        att += attPer[m];
        if (grads != null) grads.attentionScores[m] = g;
      }
    }
    if (weights.embedding() > 0 || weights.hidden() > 0) {
      if (student.fitHiddenStates.isEmpty()) {
        throw new IllegalStateException("representation losses need the student's fit_dense outputs");
      }
      for (int i = 0; i <= s; i++) {
        double w = i == 0 ? weights.embedding() : weights.hidden();
        if (w == 0) continue;
        INDArray fs = student.fitHiddenStates.get(i);
        INDArray th = teacher.hiddenStates.get(repMap[i]);
        requireSameShape("representation " + i + " (fit_dense of the student vs the teacher)", fs, th);
        INDArray g = grads != null ? ArrayPool.local().take(fs.shape()) : null;
        repPer[i] = mse(fs, th, false, w, g);
        if (i == 0) emb = repPer[i]; else hidden += repPer[i];
        if (grads != null) grads.fitHiddenStates[i] = g;
      }
    }
    double label = 0;
    if (weights.needsLogits()) {
      INDArray sl = weights.reluHead() ? student.logitsRelu : student.logits;
      if (sl == null) throw new IllegalStateException("prediction and label losses need the student's classifier");
      INDArray g = grads != null ? Nd4j.zeros(DataType.FLOAT, sl.shape()) : null;
      if (weights.prediction() > 0) {
        INDArray tl = weights.reluHead() ? teacher.logitsRelu : teacher.logits;
        if (tl == null) throw new IllegalStateException("prediction loss needs the teacher's classifier");
        requireSameShape("logits", sl, tl);
        pred = softCrossEntropy(sl, tl, weights.temperature(), weights.prediction(), g);
      }
      if (weights.label() > 0) {
        if (labels == null) throw new IllegalArgumentException("the label loss needs gold labels");
        label = weights.regression() ? regressionMse(sl, labels, weights.label(), g)
            : crossEntropy(sl, labels, weights.label(), g);
      }
      if (grads != null) {
        if (weights.reluHead()) grads.logitsRelu = g; else grads.logits = g;
      }
    }
    double total = weights.attention() * att + weights.embedding() * emb + weights.hidden() * hidden
        + weights.prediction() * pred + weights.label() * label;
    return new Result(att, attPer, emb, hidden, repPer, pred, label, total);
  }

  private static void requireSameShape(String what, INDArray student, INDArray teacher) {
    if (!Arrays.equals(student.shape(), teacher.shape())) {
      throw new IllegalArgumentException(what + ": student shape " + Arrays.toString(student.shape())
          + " differs from teacher shape " + Arrays.toString(teacher.shape()));
    }
  }

  /**
   * Mean squared error; with {@code zeroMasked}, entries <= -100 become 0 first (in student and teacher alike), and the
   * gradient through a zeroed student entry is 0. Writes weight * d(mse)/d(student) into {@code grad} when given.
   * Chunks of the arrays are copied to Java arrays and split over the cores, so the arithmetic compiles to SIMD.
   */
  static double mse(INDArray student, INDArray teacher, boolean zeroMasked, double weight, INDArray grad) {
    FloatBuffer sb = Kernels.buf(Kernels.contiguous(student));
    FloatBuffer tb = Kernels.buf(Kernels.contiguous(teacher));
    FloatBuffer gb = grad != null ? Kernels.buf(grad) : null;
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
  static double crossEntropy(INDArray student, float[] labels, double weight, INDArray grad) {
    int b = (int) student.size(0);
    int c = (int) student.size(1);
    if (labels.length != b) {
      throw new IllegalArgumentException("one label per example needed: " + b + " examples, " + labels.length
          + " labels");
    }
    float[][] s = student.toFloatMatrix();
    double sum = 0;
    for (int i = 0; i < b; i++) {
      int y = Math.round(labels[i]);
      if (y < 0 || y >= c || y != labels[i]) {
        throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is not a class in 0.." + (c - 1));
      }
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
    if (labels.length != b) {
      throw new IllegalArgumentException("regression needs one label per example: " + b + " examples, "
          + labels.length + " labels");
    }
    double sum = 0;
    for (int i = 0; i < b; i++) {
      double d = student.getDouble(i, 0) - labels[i];
      sum += d * d;
      if (grad != null) grad.putScalar(i, 0, grad.getFloat(i, 0) + (float) (2.0 * weight * d / b));
    }
    return sum / b;
  }
}
