package org.tinybert.distill;

/**
 * Which TinyBERT losses are on and how much each counts. A weight of 0 switches a loss off, so the paper's ablations
 * (Table 3/6: no attention, no hidden, no embedding, no prediction) are configuration.
 *
 * @param temperature the soft cross-entropy's temperature (> 0)
 * @param regression  prediction loss is MSE to gold labels (STS-B) instead of soft cross-entropy
 * @param reluHead    use TinyBERT's classifier(relu(pooled)) logits instead of Hugging Face's classifier(pooled)
 */
public record LossWeights(double attention, double embedding, double hidden, double prediction, double temperature,
    boolean regression, boolean reluHead) {

  public LossWeights {
    if (attention < 0 || embedding < 0 || hidden < 0 || prediction < 0) {
      throw new IllegalArgumentException("loss weights must be >= 0, found attention " + attention + ", embedding "
          + embedding + ", hidden " + hidden + ", prediction " + prediction);
    }
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, found " + temperature);
  }

  /** General distillation and the intermediate stage of task distillation: attention + embedding + hidden. */
  public static LossWeights intermediate() {
    return new LossWeights(1, 1, 1, 0, 1, false, false);
  }

  /** The prediction stage of task distillation. */
  public static LossWeights prediction(double temperature, boolean regression) {
    return new LossWeights(0, 0, 0, 1, temperature, regression, false);
  }

  public boolean needsIntermediate() {
    return attention > 0 || embedding > 0 || hidden > 0;
  }

  public boolean needsPrediction() {
    return prediction > 0;
  }
}
