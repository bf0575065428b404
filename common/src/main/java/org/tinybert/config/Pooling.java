package org.tinybert.config;

import org.tinybert.settings.Choice;

/** How an example becomes one embedding vector. */
public enum Pooling implements Choice {
  /** BERT's pooled output, {@code tanh(dense(h[CLS]))} of the last layer (needs {@code bert.pooler.dense}). */
  POOLED,
  /** The last layer's hidden states averaged over the example's real tokens ([CLS] and [SEP] included). */
  MEAN;
}
