package org.tinybert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.settings.Choice;

/**
 * Which logits a sequence classifier's predictions are read from. Hugging Face's {@code BertForSequenceClassification}
 * applies the classifier to the pooled output; TinyBERT's {@code TinyBertForSequenceClassification} applies it to
 * {@code relu(pooled)}. The same weights give different logits, so a model is scored with the head it was trained with.
 */
public enum ClassifierHead implements Choice {
  /** {@code classifier(pooled)}, Hugging Face's head: the setting {@code hf}. */
  HF,
  /** {@code classifier(relu(pooled))}, TinyBERT's head: the setting {@code tinybert-relu}. */
  TINYBERT_RELU;

  /** [B, C] logits of this head from a forward pass. */
  public INDArray logits(BertModel.Forward f) {
    INDArray logits = this == HF ? f.logits : f.logitsRelu;
    if (logits == null) {
      throw new IllegalStateException("the model has no sequence classifier (bert.pooler.dense and classifier): "
          + "no logits to read");
    }
    return logits;
  }

  @Override
  public String toString() {
    return key();
  }
}
