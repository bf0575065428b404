package org.tinybert.config;

/** {@code clip}: how gradients are clipped to {@code clip-threshold} before the update. */
public enum ClipMode implements Choice {
  /** Each tensor's gradient to L2 norm at most the threshold (BertAdam's {@code max_grad_norm}, per parameter). */
  PER_TENSOR("per-tensor"),
  /** All gradients together, by their global L2 norm (PyTorch's {@code clip_grad_norm_}). */
  GLOBAL("global"),
  /** No clipping. */
  NONE("none");

  private final String key;

  ClipMode(String key) {
    this.key = key;
  }

  @Override
  public String key() {
    return key;
  }
}
