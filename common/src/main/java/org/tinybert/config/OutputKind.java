package org.tinybert.config;

import org.tinybert.settings.Choice;

/** What {@code infer} writes for each example. */
public enum OutputKind implements Choice {
  /** {@link #PROBABILITIES} for a model with a sequence classifier, {@link #EMBEDDINGS} for one without. */
  AUTO,
  /** The predicted label's name (a regression model: its value, {@code score}). */
  LABELS,
  /** The predicted label's name and every class probability, softmax of the logits (regression: {@code score}). */
  PROBABILITIES,
  /** The example's vector: the pooled output or the mean of the last hidden states ({@link Pooling}). */
  EMBEDDINGS;
}
