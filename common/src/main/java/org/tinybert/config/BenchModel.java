package org.tinybert.config;

import org.tinybert.settings.Choice;

/** {@code model} of the benchmarks: the sizes of the random models they time. */
public enum BenchModel implements Choice {
  /** BERT-base (and, where there is a student, TinyBERT4): the sizes the published figures are for. */
  BASE,
  /** Small models with the same structure: for tests of the benchmarks themselves. */
  TINY;
}
