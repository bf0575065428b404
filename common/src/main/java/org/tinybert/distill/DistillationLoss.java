package org.tinybert.distill;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;

/**
 * TinyBERT's losses between one teacher and one student forward pass, with their gradients with respect to the
 * student's outputs (which {@link BertModel#backward} then takes through the student).
 *
 * <p>Values are accumulated in double precision over float32 activations, by an {@link Engine}'s loss kernels.
 * Definitions (paper, Section 3.1):
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
  private final Engine engine;

  /** The losses on the {@code auto} engine of this JVM's backend. */
  public DistillationLoss(LayerMapping mapping, LossWeights weights) {
    this(mapping, weights, EngineChoice.AUTO.resolve());
  }

  public DistillationLoss(LayerMapping mapping, LossWeights weights, Engine engine) {
    this.mapping = mapping;
    this.weights = weights;
    this.engine = engine;
  }

  public LayerMapping mapping() {
    return mapping;
  }

  public LossWeights weights() {
    return weights;
  }

  /** What computes the losses (and should compute the passes they compare). */
  public Engine engine() {
    return engine;
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
        attPer[m] = engine.mse(ss, ts, true, weights.attention(), g);
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
        repPer[i] = engine.mse(fs, th, false, w, g);
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
        pred = engine.softCrossEntropy(sl, tl, weights.temperature(), weights.prediction(), g);
      }
      if (weights.label() > 0) {
        if (labels == null) throw new IllegalArgumentException("the label loss needs gold labels");
        int b = (int) sl.size(0);
        if (weights.regression()) {
          checkRegressionLabels(labels, b);
          label = engine.regressionMse(sl, labels, weights.label(), g);
        } else {
          label = engine.crossEntropy(sl, classLabels(labels, b, (int) sl.size(1)), weights.label(), g);
        }
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

  /** Checks that labels are class indices of {@code classes} classes, one per example, and returns them. */
  static int[] classLabels(float[] labels, int examples, int classes) {
    if (labels.length != examples) {
      throw new IllegalArgumentException("one label per example needed: " + examples + " examples, " + labels.length
          + " labels");
    }
    int[] out = new int[examples];
    for (int i = 0; i < examples; i++) {
      int y = Math.round(labels[i]);
      if (y < 0 || y >= classes || y != labels[i]) {
        throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is not a class in 0.."
            + (classes - 1));
      }
      out[i] = y;
    }
    return out;
  }

  static void checkRegressionLabels(float[] labels, int examples) {
    if (labels.length != examples) {
      throw new IllegalArgumentException("regression needs one label per example: " + examples + " examples, "
          + labels.length + " labels");
    }
  }
}
