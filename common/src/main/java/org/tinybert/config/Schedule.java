package org.tinybert.config;

/** {@code schedule}: the learning rate over a run. */
public enum Schedule implements Choice {
  /** The learning rate throughout. */
  CONSTANT("constant"),
  /** BERT's: linear warm-up over {@code warmup-proportion} of the steps, then linear decay to 0. */
  WARMUP_LINEAR("warmup-linear");

  private final String key;

  Schedule(String key) {
    this.key = key;
  }

  @Override
  public String key() {
    return key;
  }
}
