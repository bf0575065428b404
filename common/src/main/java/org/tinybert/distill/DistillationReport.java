package org.tinybert.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertModel;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.core.BertBatch;

/**
 * Every TinyBERT loss of one batch between a teacher and a student, under the names and definitions of the golden
 * {@code losses.json}, and optionally the student's gradients: what {@code tinybert distill-loss} writes, for checking
 * this implementation against another one on any models and examples.
 *
 * @param mapping the layer mapping used
 * @param temperature the prediction loss's temperature
 * @param values {@code att_loss}, {@code att_loss_per_layer}, {@code emb_loss}, {@code hidden_loss}, {@code rep_loss},
 *     {@code rep_loss_per_layer}, {@code intermediate_total}, and when both models have a classifier
 *     {@code pred_loss} and {@code total}; {@code regression_loss} when labels were given (see {@link #compute})
 * @param gradients empty, or {@code grad.<name>} = d(intermediate_total)/d(param) for every student parameter and,
 *     with classifiers, {@code grad_pred.<name>} = d(pred_loss)/d(param)
 */
public record DistillationReport(LayerMapping mapping, double temperature, Map<String, Object> values,
    Map<String, INDArray> gradients) {

  /** Prefix of the gradients of {@code intermediate_total}. */
  public static final String GRAD = "grad.";
  /** Prefix of the gradients of {@code pred_loss}. */
  public static final String GRAD_PRED = "grad_pred.";

  /**
   * Computes the report. Attention loss (Eq. 7) on masked pre-softmax scores with entries <= -100 zeroed, embedding
   * and hidden losses (Eq. 8, 9) through the student's fit_dense, prediction loss (Eq. 10) as the soft cross-entropy
   * of the Hugging Face logits classifier(pooled) at {@code temperature} without a T^2 factor;
   * {@code intermediate_total} = att + emb + hidden, {@code total} = att + emb + hidden + pred.
   *
   * @param student the student, whose parameters are exactly {@code layout}'s names (gradients are laid out by it)
   * @param regressionLabels gold labels, one per example, for {@code regression_loss} = MSE(student logits[:, 0],
   *     labels); null for none
   * @param withGradients whether to backpropagate both losses through the student
   */
  public static DistillationReport compute(BertModel teacher, BertModel student, ParamLayout layout, BertBatch batch,
      LayerMapping mapping, double temperature, float[] regressionLabels, boolean withGradients) {
    if (student.fitCount() == 0) {
      throw new IllegalArgumentException("the student has no fit_dense projection to the teacher's width ("
          + teacher.config().hiddenSize() + "); the embedding and hidden losses need one");
    }
    boolean classifiers = student.hasClassifier() && teacher.hasClassifier();
    BertModel.Forward t = teacher.forward(batch, false, false);
    BertModel.Forward s = student.forward(batch, withGradients, true);

    Map<String, Object> v = new LinkedHashMap<>();
    DistillationLoss.Result r = new DistillationLoss(mapping, new LossWeights(1, 1, 1, classifiers ? 1 : 0, 0,
        temperature, false, false), student.engine()).compute(t, s, null, null);
    v.put("att_loss", r.attention());
    v.put("att_loss_per_layer", r.attentionPerLayer());
    v.put("emb_loss", r.embedding());
    v.put("hidden_loss", r.hidden());
    v.put("rep_loss", r.representation());
    v.put("rep_loss_per_layer", r.representationPerLayer());
    v.put("intermediate_total", r.attention() + r.representation());
    if (classifiers) {
      v.put("pred_loss", r.prediction());
      v.put("total", r.total());
    }
    if (regressionLabels != null) {
      if (!student.hasClassifier()) {
        throw new IllegalArgumentException("regression_loss needs the student's classifier, and the student has none");
      }
      if (regressionLabels.length != batch.batchSize()) {
        throw new IllegalArgumentException("regression_loss needs one label per example: " + batch.batchSize()
            + " examples, " + regressionLabels.length + " labels");
      }
      double label = new DistillationLoss(mapping, LossWeights.prediction(1.0, true), student.engine())
          .compute(t, s, regressionLabels, null).label();
      v.put("regression_loss", label);
    }

    Map<String, INDArray> grads = new LinkedHashMap<>();
    if (withGradients) {
      gradients(student, layout, t, s, new DistillationLoss(mapping, LossWeights.intermediate()), GRAD, grads);
      if (classifiers) {
        gradients(student, layout, t, s, new DistillationLoss(mapping, LossWeights.prediction(temperature, false)),
            GRAD_PRED, grads);
      }
    }
    return new DistillationReport(mapping, temperature, v, grads);
  }

  /** d(loss)/d(param) for every student parameter, zeros included, under {@code prefix + name}. */
  private static void gradients(BertModel student, ParamLayout layout, BertModel.Forward t, BertModel.Forward s,
      DistillationLoss loss, String prefix, Map<String, INDArray> into) {
    BertModel.OutputGrads og = new BertModel.OutputGrads(student.config().numHiddenLayers());
    loss.compute(t, s, null, og);
    Map<String, INDArray> g = layout.views(layout.newFlat());
    student.backward(s, og, g);
    for (Map.Entry<String, INDArray> e : g.entrySet()) into.put(prefix + e.getKey(), e.getValue());
  }

  /** The report as {@code losses.json} has it: temperature, layer_map, then {@link #values}. */
  public Map<String, Object> toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("temperature", temperature);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("strategy", mapping.strategy());
    map.put("att_teacher_index_0based", mapping.attentionTeacherLayer());
    map.put("rep_teacher_index_0based", mapping.representationTeacherIndex());
    o.put("layer_map", map);
    o.putAll(values);
    return o;
  }

  public OptionalDouble value(String name) {
    Object o = values.get(name);
    return o instanceof Double d ? OptionalDouble.of(d) : OptionalDouble.empty();
  }
}
