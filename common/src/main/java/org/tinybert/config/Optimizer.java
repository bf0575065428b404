package org.tinybert.config;

import org.tinybert.settings.Choice;

/** {@code optimizer}: the Adam variant that updates the student. */
public enum Optimizer implements Choice {
  /** BERT's BertAdam: no bias correction, decoupled weight decay (what TinyBERT trains with). */
  BERTADAM,
  /** AdamW: Adam with bias correction and decoupled weight decay. */
  ADAMW;
}
