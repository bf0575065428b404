package org.tinybert.config;

import java.util.Locale;

/** How an example becomes one embedding vector. */
public enum Pooling {
  /** BERT's pooled output, {@code tanh(dense(h[CLS]))} of the last layer (needs {@code bert.pooler.dense}). */
  POOLED,
  /** The last layer's hidden states averaged over the example's real tokens ([CLS] and [SEP] included). */
  MEAN;

  public String settingName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Pooling byName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
