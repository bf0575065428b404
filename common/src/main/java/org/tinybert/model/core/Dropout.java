package org.tinybert.model.core;

/**
 * Dropout of a training forward pass, at BERT's positions: the embedding output, the attention probabilities, the
 * attention block's and the feed-forward block's dense outputs (before their residual LayerNorm), and the pooled
 * output before the Hugging Face classifier. Kept values are scaled by 1 / (1 - p), as {@code torch.nn.Dropout} does,
 * so evaluation runs without it.
 *
 * <p>Masks come from a counter-based generator keyed by (seed, site, row) instead of one sequential generator: a
 * pass draws the same masks whatever the number of threads that fill them, and a resumed run, given the same seed,
 * draws what the uninterrupted one drew.
 *
 * @param hidden probability of dropping a hidden unit (Hugging Face's {@code hidden_dropout_prob}), in [0, 1)
 * @param attention probability of dropping an attention probability ({@code attention_probs_dropout_prob}), in [0, 1)
 * @param seed key of this pass's masks; a training step derives it from its run seed, step and minibatch
 */
public record Dropout(double hidden, double attention, long seed) {
  /** No dropout (evaluation, the teacher, the reference fixtures). */
  public static final Dropout NONE = new Dropout(0, 0, 0);

  /** Resolution of the keep decisions: a 16-bit uniform per element. */
  private static final int LEVELS = 1 << 16;

  public Dropout {
    if (!(hidden >= 0 && hidden < 1)) throw new IllegalArgumentException("hidden dropout must be in [0, 1), found "
        + hidden);
    if (!(attention >= 0 && attention < 1)) {
      throw new IllegalArgumentException("attention dropout must be in [0, 1), found " + attention);
    }
  }

  public boolean any() {
    return hidden > 0 || attention > 0;
  }

  /** The same probabilities with the masks of another pass. */
  public Dropout withSeed(long seed) {
    return new Dropout(hidden, attention, seed);
  }

  /** 1 / (1 - p): what a kept value is multiplied by. */
  public static float scale(double p) {
    return (float) (1.0 / (1.0 - p));
  }

  /**
   * Fills {@code keep[off, off + n)} with 1 (kept, probability 1 - p) or 0 (dropped), the decisions of row {@code row}
   * at {@code site} of the pass keyed by {@code seed}.
   */
  public static void draw(byte[] keep, int off, int n, double p, long seed, long site, long row) {
    int threshold = (int) Math.round(p * LEVELS);
    long state = mix(seed ^ mix(site * 0x9E3779B97F4A7C15L + row));
    int i = 0;
    while (i < n) {
      state += 0x9E3779B97F4A7C15L;
      long z = mix(state);
      // Four 16-bit uniforms per 64-bit draw.
      for (int lane = 0; lane < 4 && i < n; lane++, i++) {
        int u = (int) ((z >>> (16 * lane)) & 0xFFFF);
        keep[off + i] = (byte) (u >= threshold ? 1 : 0);
      }
    }
  }

  /** SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A seed for one training step's masks from the run's seed, the step, and what the minibatch holds. */
  public static long stepSeed(long runSeed, long step, long batchHash) {
    return mix(mix(runSeed * 0x632BE59BD9B4E019L + step) ^ batchHash);
  }
}
