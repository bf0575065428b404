package org.tinybert.model.checkpoint;

import java.util.LinkedHashMap;
import org.tinybert.model.core.BertConfig;

/**
 * The one place that spells Hugging Face BERT state-dict names, so that real checkpoints load unchanged and ours
 * load in {@code transformers}. Module names come without a suffix; {@link #weight} and {@link #bias} add it.
 * Linear weights are [out, in], as torch stores them.
 */
public final class HfNames {
  private HfNames() {}

  public static final String PREFIX = "bert.";
  public static final String WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight";
  public static final String POSITION_EMBEDDINGS = "bert.embeddings.position_embeddings.weight";
  public static final String TOKEN_TYPE_EMBEDDINGS = "bert.embeddings.token_type_embeddings.weight";
  public static final String EMBEDDINGS_LAYER_NORM = "bert.embeddings.LayerNorm";
  /** A buffer {@code transformers} registers (and older versions save): arange(max_position), recomputed here. */
  public static final String POSITION_IDS = "bert.embeddings.position_ids";
  public static final String POOLER = "bert.pooler.dense";
  public static final String CLASSIFIER = "classifier";
  public static final String MLM_TRANSFORM = "cls.predictions.transform.dense";
  public static final String MLM_LAYER_NORM = "cls.predictions.transform.LayerNorm";
  /** The MLM output bias, [vocab]. */
  public static final String MLM_BIAS = "cls.predictions.bias";
  /** The MLM output projection, [vocab, hidden]; absent when tied to {@link #WORD_EMBEDDINGS}. */
  public static final String MLM_DECODER_WEIGHT = "cls.predictions.decoder.weight";
  /** TinyBERT's shared projection student hidden -> teacher hidden. */
  public static final String FIT_DENSE = "fit_dense";

  public static String weight(String module) {
    return module + ".weight";
  }

  public static String bias(String module) {
    return module + ".bias";
  }

  private static final String LAYER_PREFIX = "bert.encoder.layer.";

  /** {@code bert.encoder.layer.<i>}. */
  public static String layer(int i) {
    return LAYER_PREFIX + i;
  }

  /** Whether {@code name} is a tensor of an encoder layer ({@code bert.encoder.layer.<i>.*}). */
  public static boolean inEncoderLayer(String name) {
    return name.startsWith(LAYER_PREFIX);
  }

  public static String query(int layer) {
    return layer(layer) + ".attention.self.query";
  }

  public static String key(int layer) {
    return layer(layer) + ".attention.self.key";
  }

  public static String value(int layer) {
    return layer(layer) + ".attention.self.value";
  }

  /** The projection after attention, hidden -> hidden. */
  public static String attentionOutput(int layer) {
    return layer(layer) + ".attention.output.dense";
  }

  public static String attentionLayerNorm(int layer) {
    return layer(layer) + ".attention.output.LayerNorm";
  }

  /** The feed-forward expansion, hidden -> intermediate. */
  public static String intermediate(int layer) {
    return layer(layer) + ".intermediate.dense";
  }

  /** The feed-forward contraction, intermediate -> hidden. */
  public static String output(int layer) {
    return layer(layer) + ".output.dense";
  }

  public static String outputLayerNorm(int layer) {
    return layer(layer) + ".output.LayerNorm";
  }

  /** TinyBERT's per-representation projection: 0 for the embedding output, i for the output of layer i. */
  public static String fitDense(int representation) {
    return "fit_denses." + representation;
  }

  /**
   * Whether {@code name} is an integer buffer that may be skipped when reading: {@code position_ids} and
   * {@code token_type_ids} under {@code embeddings}, which {@code transformers} derives (arange, zeros) rather than
   * learns. Any other integer tensor is an error, so nothing the model needs is ever dropped silently.
   */
  public static boolean isIntegerBuffer(String name) {
    return name.equals("embeddings.position_ids") || name.endsWith(".embeddings.position_ids")
        || name.equals("embeddings.token_type_ids") || name.endsWith(".embeddings.token_type_ids");
  }

  /** Every weight a checkpoint of {@code cfg} with {@code heads} holds, with its shape, in Hugging Face order. */
  public static LinkedHashMap<String, long[]> expectedShapes(BertConfig cfg, Heads heads) {
    long h = cfg.hiddenSize();
    long ffn = cfg.intermediateSize();
    long v = cfg.vocabSize();
    LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
    s.put(WORD_EMBEDDINGS, new long[] {v, h});
    s.put(POSITION_EMBEDDINGS, new long[] {cfg.maxPositionEmbeddings(), h});
    s.put(TOKEN_TYPE_EMBEDDINGS, new long[] {cfg.typeVocabSize(), h});
    layerNorm(s, EMBEDDINGS_LAYER_NORM, h);
    for (int i = 0; i < cfg.numHiddenLayers(); i++) {
      linear(s, query(i), h, h);
      linear(s, key(i), h, h);
      linear(s, value(i), h, h);
      linear(s, attentionOutput(i), h, h);
      layerNorm(s, attentionLayerNorm(i), h);
      linear(s, intermediate(i), h, ffn);
      linear(s, output(i), ffn, h);
      layerNorm(s, outputLayerNorm(i), h);
    }
    if (heads.pooler()) linear(s, POOLER, h, h);
    if (heads.classifier()) linear(s, CLASSIFIER, h, heads.numLabels());
    if (heads.mlm()) {
      s.put(MLM_BIAS, new long[] {v});
      linear(s, MLM_TRANSFORM, h, h);
      layerNorm(s, MLM_LAYER_NORM, h);
      if (heads.mlmDecoder()) s.put(MLM_DECODER_WEIGHT, new long[] {v, h});
    }
    switch (heads.fit()) {
      case SHARED -> linear(s, FIT_DENSE, h, heads.fitSize());
      case PER_REPRESENTATION -> {
        for (int i = 0; i <= cfg.numHiddenLayers(); i++) linear(s, fitDense(i), h, heads.fitSize());
      }
      case NONE -> { }
    }
    return s;
  }

  private static void linear(LinkedHashMap<String, long[]> s, String module, long in, long out) {
    s.put(weight(module), new long[] {out, in});
    s.put(bias(module), new long[] {out});
  }

  private static void layerNorm(LinkedHashMap<String, long[]> s, String module, long width) {
    s.put(weight(module), new long[] {width});
    s.put(bias(module), new long[] {width});
  }
}
