package org.tinybert.config;

import org.tinybert.settings.Choice;

/** {@code clip}: how gradients are clipped to {@code clip-threshold} before the update. */
public enum ClipMode implements Choice {
  /** Each tensor's gradient to L2 norm at most the threshold (BertAdam's {@code max_grad_norm}, per parameter). */
  PER_TENSOR,
  /** All gradients together, by their global L2 norm (PyTorch's {@code clip_grad_norm_}). */
  GLOBAL,
  /** No clipping. */
  NONE;
}
