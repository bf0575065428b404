package org.tinybert.config;

import org.tinybert.settings.Choice;

/** {@code schedule}: the learning rate over a run. */
public enum Schedule implements Choice {
  /** The learning rate throughout. */
  CONSTANT,
  /** BERT's: linear warm-up over {@code warmup-proportion} of the steps, then linear decay to 0. */
  WARMUP_LINEAR;
}
