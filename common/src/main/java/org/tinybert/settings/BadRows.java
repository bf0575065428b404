package org.tinybert.settings;

import java.util.List;

/**
 * {@code bad-rows}: what a job does with an input row it cannot read (not valid UTF-8, a missing column or value, an
 * empty text, malformed JSON, a label the task lacks). One key and one set of values for every job that reads rows.
 */
public enum BadRows implements Choice {
  /** Stop, naming the file and line. */
  FAIL,
  /** Skip the row and count it. */
  SKIP,
  /** Augment only: as the GLUE task's own reader does (skip where TinyBERT's reader skips, i.e. QQP). */
  TASK_DEFAULT;

  /** The values every job accepts; only augment adds {@link #TASK_DEFAULT}. */
  public static final List<BadRows> FAIL_OR_SKIP = List.of(FAIL, SKIP);
}
