package org.tinybert.model;

/**
 * Hugging Face state-dict names of BERT's parameters (the {@code bert.} layout of BertForSequenceClassification /
 * BertForMaskedLM; loaders normalise other layouts to it).
 */
public final class BertNames {
  public static final String PREFIX = "bert.";
  public static final String WORD_EMB = "bert.embeddings.word_embeddings.weight";
  public static final String POS_EMB = "bert.embeddings.position_embeddings.weight";
  public static final String TYPE_EMB = "bert.embeddings.token_type_embeddings.weight";
  public static final String EMB_LN_W = "bert.embeddings.LayerNorm.weight";
  public static final String EMB_LN_B = "bert.embeddings.LayerNorm.bias";
  public static final String POOLER_W = "bert.pooler.dense.weight";
  public static final String POOLER_B = "bert.pooler.dense.bias";
  public static final String CLASSIFIER_W = "classifier.weight";
  public static final String CLASSIFIER_B = "classifier.bias";
  public static final String MLM_DENSE_W = "cls.predictions.transform.dense.weight";
  public static final String MLM_DENSE_B = "cls.predictions.transform.dense.bias";
  public static final String MLM_LN_W = "cls.predictions.transform.LayerNorm.weight";
  public static final String MLM_LN_B = "cls.predictions.transform.LayerNorm.bias";
  public static final String MLM_BIAS = "cls.predictions.bias";
  public static final String MLM_DECODER_W = "cls.predictions.decoder.weight";
  public static final String FIT_W = "fit_dense.weight";
  public static final String FIT_B = "fit_dense.bias";

  private final Layer[] layers;

  BertNames(BertConfig config) {
    layers = new Layer[config.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) layers[i] = new Layer(i);
  }

  Layer layer(int i) {
    return layers[i];
  }

  /** The i-th per-representation projection of the released general TinyBERT checkpoints. */
  public static String fitDenses(int i) {
    return "fit_denses." + i;
  }

  /** The names of one encoder layer's parameters. */
  public static final class Layer {
    public final String queryW, queryB, keyW, keyB, valueW, valueB;
    public final String attnOutW, attnOutB, attnLnW, attnLnB;
    public final String interW, interB, outW, outB, outLnW, outLnB;

    public Layer(int i) {
      String p = PREFIX + "encoder.layer." + i + ".";
      queryW = p + "attention.self.query.weight";
      queryB = p + "attention.self.query.bias";
      keyW = p + "attention.self.key.weight";
      keyB = p + "attention.self.key.bias";
      valueW = p + "attention.self.value.weight";
      valueB = p + "attention.self.value.bias";
      attnOutW = p + "attention.output.dense.weight";
      attnOutB = p + "attention.output.dense.bias";
      attnLnW = p + "attention.output.LayerNorm.weight";
      attnLnB = p + "attention.output.LayerNorm.bias";
      interW = p + "intermediate.dense.weight";
      interB = p + "intermediate.dense.bias";
      outW = p + "output.dense.weight";
      outB = p + "output.dense.bias";
      outLnW = p + "output.LayerNorm.weight";
      outLnB = p + "output.LayerNorm.bias";
    }
  }
}
