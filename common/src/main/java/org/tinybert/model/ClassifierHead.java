package org.tinybert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which logits a sequence classifier's predictions are read from. Hugging Face's {@code BertForSequenceClassification}
 * applies the classifier to the pooled output; TinyBERT's {@code TinyBertForSequenceClassification} applies it to
 * {@code relu(pooled)}. The same weights give different logits, so a model is scored with the head it was trained with.
 */
public enum ClassifierHead {
  /** {@code classifier(pooled)}, Hugging Face's head. */
  HF("hf"),
  /** {@code classifier(relu(pooled))}, TinyBERT's head. */
  TINYBERT_RELU("tinybert-relu");

  private final String settingName;

  ClassifierHead(String settingName) {
    this.settingName = settingName;
  }

  /** The name settings use ({@code hf}, {@code tinybert-relu}). */
  public String settingName() {
    return settingName;
  }

  /** Every {@link #settingName()}, in declaration order. */
  public static String[] settingNames() {
    return Arrays.stream(values()).map(ClassifierHead::settingName).toArray(String[]::new);
  }

  public static ClassifierHead byName(String name) {
    for (ClassifierHead h : values()) {
      if (h.settingName.equals(name)) return h;
    }
    throw new IllegalArgumentException("classifier head must be one of " + String.join(", ", settingNames())
        + ", found '" + name + "'");
  }

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
    return settingName;
  }
}
