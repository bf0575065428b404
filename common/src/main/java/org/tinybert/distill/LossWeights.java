package org.tinybert.distill;

/**
 * Which losses are on and how much each counts. A weight of 0 switches a loss off, so the paper's ablations (no
 * attention, no hidden, no embedding, no prediction, no transformer-layer distillation) are configuration.
 *
 * @param attention   Eq. 7, attention-score MSE
 * @param embedding   Eq. 9, embedding-output MSE through fit_dense
 * @param hidden      Eq. 8, hidden-state MSE through fit_dense
 * @param prediction  Eq. 10, soft cross-entropy against the teacher's logits at {@code temperature}
 * @param label       loss against gold labels: cross-entropy, or MSE of the first logit when {@code regression}
 *                    (TinyBERT's prediction stage for STS-B; also teacher fine-tuning and the labels-only baseline)
 * @param temperature the soft cross-entropy's temperature (> 0)
 * @param regression  the task is regression (one output, gold labels are numbers)
 * @param reluHead    use TinyBERT's classifier(relu(pooled)) logits instead of Hugging Face's classifier(pooled)
 */
public record LossWeights(double attention, double embedding, double hidden, double prediction, double label,
    double temperature, boolean regression, boolean reluHead) {

  public LossWeights {
    if (attention < 0 || embedding < 0 || hidden < 0 || prediction < 0 || label < 0) {
      throw new IllegalArgumentException("loss weights must be >= 0, found attention " + attention + ", embedding "
          + embedding + ", hidden " + hidden + ", prediction " + prediction + ", label " + label);
    }
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, found " + temperature);
    if (regression && prediction > 0) {
      throw new IllegalArgumentException("regression tasks distil predictions with the label loss (MSE to gold "
          + "labels, as TinyBERT does for STS-B), not soft cross-entropy: set prediction 0 and label > 0");
    }
  }

  /** General distillation and the intermediate stage of task distillation: attention + embedding + hidden. */
  public static LossWeights intermediate() {
    return intermediate(1, 1, 1);
  }

  /** The intermediate losses (Eq. 7-9) at these weights, predictions off. */
  public static LossWeights intermediate(double attention, double embedding, double hidden) {
    return new LossWeights(attention, embedding, hidden, 0, 0, 1, false, false);
  }

  /** These weights for a task: its soft cross-entropy's temperature, and whether it is regression. */
  public LossWeights forTask(double temperature, boolean regression) {
    return new LossWeights(attention, embedding, hidden, prediction, label, temperature, regression, reluHead);
  }

  /** The prediction stage of task distillation (TinyBERT: soft cross-entropy, or MSE to gold labels for STS-B). */
  public static LossWeights prediction(double temperature, boolean regression) {
    return regression ? new LossWeights(0, 0, 0, 0, 1, temperature, true, false)
        : new LossWeights(0, 0, 0, 1, 0, temperature, false, false);
  }

  /** Training on gold labels alone (teacher fine-tuning; the no-distillation baseline). */
  public static LossWeights labelsOnly(boolean regression) {
    return new LossWeights(0, 0, 0, 0, 1, 1, regression, false);
  }

  public boolean needsIntermediate() {
    return attention > 0 || embedding > 0 || hidden > 0;
  }

  public boolean needsTeacher() {
    return needsIntermediate() || prediction > 0;
  }

  public boolean needsLogits() {
    return prediction > 0 || label > 0;
  }
}
