package org.tinybert.model;

import static org.tinybert.model.checkpoint.HfNames.bias;
import static org.tinybert.model.checkpoint.HfNames.weight;

import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.BertConfig;

/**
 * The parameter names the forward and backward passes look up, spelled once by {@link HfNames} and resolved here into
 * full weight/bias names (per layer, computed once rather than concatenated on every call).
 */
final class BertNames {
  static final String WORD_EMB = HfNames.WORD_EMBEDDINGS;
  static final String POS_EMB = HfNames.POSITION_EMBEDDINGS;
  static final String TYPE_EMB = HfNames.TOKEN_TYPE_EMBEDDINGS;
  static final String EMB_LN_W = weight(HfNames.EMBEDDINGS_LAYER_NORM);
  static final String EMB_LN_B = bias(HfNames.EMBEDDINGS_LAYER_NORM);
  static final String POOLER_W = weight(HfNames.POOLER);
  static final String POOLER_B = bias(HfNames.POOLER);
  static final String CLASSIFIER_W = weight(HfNames.CLASSIFIER);
  static final String CLASSIFIER_B = bias(HfNames.CLASSIFIER);
  static final String MLM_DENSE_W = weight(HfNames.MLM_TRANSFORM);
  static final String MLM_DENSE_B = bias(HfNames.MLM_TRANSFORM);
  static final String MLM_LN_W = weight(HfNames.MLM_LAYER_NORM);
  static final String MLM_LN_B = bias(HfNames.MLM_LAYER_NORM);
  static final String MLM_BIAS = HfNames.MLM_BIAS;
  static final String MLM_DECODER_W = HfNames.MLM_DECODER_WEIGHT;
  static final String FIT_W = weight(HfNames.FIT_DENSE);

  private final Layer[] layers;

  BertNames(BertConfig config) {
    layers = new Layer[config.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) layers[i] = new Layer(i);
  }

  Layer layer(int i) {
    return layers[i];
  }

  /** The projection of representation i: the shared {@code fit_dense}, or {@code fit_denses.i}. */
  static String fit(int fitCount, int representation) {
    return fitCount == 1 ? HfNames.FIT_DENSE : HfNames.fitDense(representation);
  }

  /** The names of one encoder layer's parameters. */
  static final class Layer {
    final String queryW, queryB, keyW, keyB, valueW, valueB;
    final String attnOutW, attnOutB, attnLnW, attnLnB;
    final String interW, interB, outW, outB, outLnW, outLnB;

    Layer(int i) {
      queryW = weight(HfNames.query(i));
      queryB = bias(HfNames.query(i));
      keyW = weight(HfNames.key(i));
      keyB = bias(HfNames.key(i));
      valueW = weight(HfNames.value(i));
      valueB = bias(HfNames.value(i));
      attnOutW = weight(HfNames.attentionOutput(i));
      attnOutB = bias(HfNames.attentionOutput(i));
      attnLnW = weight(HfNames.attentionLayerNorm(i));
      attnLnB = bias(HfNames.attentionLayerNorm(i));
      interW = weight(HfNames.intermediate(i));
      interB = bias(HfNames.intermediate(i));
      outW = weight(HfNames.output(i));
      outB = bias(HfNames.output(i));
      outLnW = weight(HfNames.outputLayerNorm(i));
      outLnB = bias(HfNames.outputLayerNorm(i));
    }
  }
}
