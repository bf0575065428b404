package org.tinybert.glue;

/** What the classifier head predicts: one of the task's labels, or one real number (STS-B's similarity score). */
public enum OutputMode {
  CLASSIFICATION,
  REGRESSION
}
