package org.tinybert.augment;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.InputException;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.Engine;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.text.BertTokenizer;

/**
 * A BERT masked LM with its tokenizer, as the augmentation proposes words with it (the reference loads
 * {@code bert-base-uncased} with {@code BertForMaskedLM}).
 *
 * <p>{@link #cached} reads the model through the {@link ExecutorRuntime}: an executor loads it once, whichever of its
 * tasks asks first, and every later task (and partition) reuses its weights and frozen view. The model only reads its
 * weights, so threads may share it.
 */
public final class MaskedLm {
  private final BertModel model;
  private final BertTokenizer tokenizer;
  private final String source;

  public MaskedLm(BertModel model, BertTokenizer tokenizer, String source) {
    if (!model.hasMlmHead()) {
      throw new InputException(source + ": the model has no masked-LM head (cls.predictions.*); the"
          + " augmentation needs a BertForMaskedLM or BertForPreTraining checkpoint such as bert-base-uncased");
    }
    int v = model.config().vocabSize();
    if (tokenizer.vocab().size() > v) {
      throw new InputException(source + ": vocab.txt has " + tokenizer.vocab().size() + " tokens, more than"
          + " the model's vocab_size " + v);
    }
    // Its weights never change: frozen, its query/key/value projections are one GEMM without restacking them on
    // every pass.
    this.model = model.frozen();
    this.tokenizer = tokenizer;
    this.source = source;
  }

  /**
   * The masked LM of a Hugging Face model directory (config.json, vocab.txt or tokenizer.json, weights with the
   * {@code cls.predictions} head), loaded on the first call in this JVM and shared afterwards.
   */
  public static MaskedLm cached(Path dir, Configuration conf, boolean lowerCase) {
    ExecutorRuntime.Model m = ExecutorRuntime.model(dir, conf);
    return new MaskedLm(m.frozen(), new BertTokenizer(m.vocab(), lowerCase), dir.toString());
  }

  /** This masked LM computed by {@code e} (the weights are shared). */
  public MaskedLm withEngine(Engine e) {
    return e == model.engine() ? this : new MaskedLm(model.withEngine(e), tokenizer, source);
  }

  public BertModel model() {
    return model;
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "MaskedLm(" + source + ", " + model + ")";
  }
}
