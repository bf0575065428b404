package org.tinybert.config;

/** {@code optimizer}: the Adam variant that updates the student. */
public enum Optimizer implements Choice {
  /** BERT's BertAdam: no bias correction, decoupled weight decay (what TinyBERT trains with). */
  BERTADAM("bertadam"),
  /** AdamW: Adam with bias correction and decoupled weight decay. */
  ADAMW("adamw");

  private final String key;

  Optimizer(String key) {
    this.key = key;
  }

  @Override
  public String key() {
    return key;
  }
}
