package org.tinybert.glue;

/** The parts of a GLUE task directory. {@link #TRAIN_AUG} is TinyBERT's augmented training set, in the train layout. */
public enum Split {
  TRAIN("train"),
  DEV("dev"),
  TEST("test"),
  TRAIN_AUG("aug");

  private final String guidPrefix;

  Split(String guidPrefix) {
    this.guidPrefix = guidPrefix;
  }

  /** The set type TinyBERT's processors put in front of a guid ({@code train-17}, {@code aug-3}). */
  public String guidPrefix() {
    return guidPrefix;
  }

  /** True for the splits whose rows carry a gold label. */
  public boolean labelled() {
    return this != TEST;
  }
}
