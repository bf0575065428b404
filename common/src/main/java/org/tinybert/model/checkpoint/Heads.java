package org.tinybert.model.checkpoint;

/**
 * Which optional parts a BERT checkpoint has besides the embeddings and the encoder.
 *
 * @param pooler     {@code bert.pooler.dense}
 * @param numLabels  rows of {@code classifier} (sequence classification), 0 when there is no classifier
 * @param mlm        the masked-LM head {@code cls.predictions.*}
 * @param mlmDecoder an untied {@code cls.predictions.decoder.weight}; false when the decoder is tied to the word
 *                   embeddings, as in BERT (then it is not stored)
 * @param fit        TinyBERT's projection from student to teacher width
 * @param fitSize    the teacher width {@code fit} projects to, 0 when {@code fit} is NONE
 */
public record Heads(boolean pooler, int numLabels, boolean mlm, boolean mlmDecoder, Fit fit, int fitSize) {

  /** TinyBERT's {@code fit_dense}: none, one shared by all representations, or one per representation. */
  public enum Fit {
    /** No projection (a teacher, or a student exported for inference). */
    NONE,
    /** One {@code fit_dense} applied to the embedding output and to every layer (task distillation). */
    SHARED,
    /** {@code fit_denses.0} for the embedding output, {@code fit_denses.i} for layer i (released general models). */
    PER_REPRESENTATION
  }

  /** Embeddings and encoder only, like Hugging Face's {@code BertModel} without its pooler. */
  public static final Heads ENCODER_ONLY = new Heads(false, 0, false, false, Fit.NONE, 0);

  public Heads {
    if (numLabels < 0) throw new IllegalArgumentException("numLabels must be >= 0, found " + numLabels);
    if (fit == null) throw new IllegalArgumentException("fit must not be null");
    if ((fit == Fit.NONE) != (fitSize == 0) || fitSize < 0) {
      throw new IllegalArgumentException("fitSize must be > 0 exactly when fit is not NONE, found fit " + fit
          + " and fitSize " + fitSize);
    }
    if (mlmDecoder && !mlm) throw new IllegalArgumentException("an MLM decoder needs the MLM head");
  }

  public boolean classifier() {
    return numLabels > 0;
  }

  public Heads withMlm(boolean head, boolean untiedDecoder) {
    return new Heads(pooler, numLabels, head, untiedDecoder, fit, fitSize);
  }

  public Heads withFit(Fit f, int size) {
    return new Heads(pooler, numLabels, mlm, mlmDecoder, f, size);
  }
}
