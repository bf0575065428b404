package org.tinybert.model.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.tinybert.io.InputException;

/**
 * Hugging Face {@code BertConfig}: the keys of {@code config.json} keep their HF names so that a real checkpoint loads
 * unchanged and a written one loads in {@code transformers}. Keys this class does not model are kept in {@link #raw}
 * and written back untouched.
 *
 * @param fitSize the teacher width of TinyBERT's {@code fit_dense} projection, or 0 when the model has none
 */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    String hiddenAct,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double layerNormEps,
    int padTokenId,
    int numLabels,
    int fitSize,
    double initializerRange,
    ObjectNode raw) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public BertConfig {
    List<String> problems = new ArrayList<>();
    if (vocabSize <= 0) problems.add("vocab_size must be > 0, found " + vocabSize);
    if (hiddenSize <= 0) problems.add("hidden_size must be > 0, found " + hiddenSize);
    if (numHiddenLayers <= 0) problems.add("num_hidden_layers must be > 0, found " + numHiddenLayers);
    if (numAttentionHeads <= 0 || hiddenSize % Math.max(1, numAttentionHeads) != 0) {
      problems.add("num_attention_heads must divide hidden_size " + hiddenSize + ", found " + numAttentionHeads);
    }
    if (intermediateSize <= 0) problems.add("intermediate_size must be > 0, found " + intermediateSize);
    if (!"gelu".equals(hiddenAct) && !"relu".equals(hiddenAct)) {
      problems.add("hidden_act must be gelu or relu, found " + hiddenAct);
    }
    if (maxPositionEmbeddings <= 0) problems.add("max_position_embeddings must be > 0, found " + maxPositionEmbeddings);
    if (typeVocabSize <= 0) problems.add("type_vocab_size must be > 0, found " + typeVocabSize);
    if (!(layerNormEps > 0)) problems.add("layer_norm_eps must be > 0, found " + layerNormEps);
    if (numLabels < 1) problems.add("num_labels must be >= 1, found " + numLabels);
    if (fitSize < 0) problems.add("fit_size must be >= 0, found " + fitSize);
    if (!problems.isEmpty()) throw new InputException("invalid BERT config: " + String.join("; ", problems));
    raw = raw == null ? JSON.createObjectNode() : raw.deepCopy();
  }

  /** {@code hidden_dropout_prob}; BERT's 0.1 when config.json does not say. */
  public double hiddenDropoutProb() {
    return raw.path("hidden_dropout_prob").asDouble(0.1);
  }

  /** {@code attention_probs_dropout_prob}; BERT's 0.1 when config.json does not say. */
  public double attentionDropoutProb() {
    return raw.path("attention_probs_dropout_prob").asDouble(0.1);
  }

  /** Size of one attention head. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /** Parses {@code config.json}; {@code source} names the file in error messages. */
  public static BertConfig parse(byte[] json, String source) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new InputException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) throw new InputException(source + ": expected a JSON object");
    try {
      int numLabels = n.has("num_labels") ? n.get("num_labels").asInt()
          : n.has("id2label") ? n.get("id2label").size() : 2;
      return new BertConfig(
          required(n, "vocab_size", source),
          required(n, "hidden_size", source),
          required(n, "num_hidden_layers", source),
          required(n, "num_attention_heads", source),
          required(n, "intermediate_size", source),
          n.path("hidden_act").asText("gelu"),
          n.path("max_position_embeddings").asInt(512),
          n.path("type_vocab_size").asInt(2),
          n.path("layer_norm_eps").asDouble(1e-12),
          n.path("pad_token_id").asInt(0),
          numLabels,
          n.path("fit_size").isNumber() ? n.get("fit_size").asInt() : 0,
          n.path("initializer_range").asDouble(0.02),
          (ObjectNode) n);
    } catch (IllegalArgumentException e) {
      throw new InputException(source + ": " + e.getMessage(), e);
    }
  }

  private static int required(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToInt()) {
      throw new InputException(source + ": key '" + key + "' must be an integer, found " + v);
    }
    return v.asInt();
  }

  /** A config with the modelled keys overriding {@link #raw}; always HF-loadable. */
  public byte[] toJson() {
    ObjectNode n = raw.deepCopy();
    n.put("model_type", "bert");
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("num_hidden_layers", numHiddenLayers);
    n.put("num_attention_heads", numAttentionHeads);
    n.put("intermediate_size", intermediateSize);
    n.put("hidden_act", hiddenAct);
    n.put("max_position_embeddings", maxPositionEmbeddings);
    n.put("type_vocab_size", typeVocabSize);
    n.put("layer_norm_eps", layerNormEps);
    n.put("pad_token_id", padTokenId);
    n.put("initializer_range", initializerRange);
    if (!n.has("id2label") || n.get("id2label").size() != numLabels) {
      ObjectNode id2label = n.putObject("id2label");
      ObjectNode label2id = n.putObject("label2id");
      for (int i = 0; i < numLabels; i++) {
        id2label.put(String.valueOf(i), "LABEL_" + i);
        label2id.put("LABEL_" + i, i);
      }
    }
    n.remove("num_labels");
    if (fitSize > 0) n.put("fit_size", fitSize); else n.remove("fit_size");
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** TinyBERT4 as in the paper (4 layers, hidden 312, 12 heads, FFN 1200) over a teacher's vocabulary. */
  public static BertConfig tinyBert4(BertConfig teacher) {
    return new BertConfig(teacher.vocabSize, 312, 4, 12, 1200, "gelu", teacher.maxPositionEmbeddings,
        teacher.typeVocabSize, teacher.layerNormEps, teacher.padTokenId, teacher.numLabels, teacher.hiddenSize,
        0.02, null);
  }

  public BertConfig withNumLabels(int n) {
    return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, n, fitSize, initializerRange, stripLabels(raw));
  }

  /**
   * With the classifier's label names as Hugging Face writes them ({@code id2label}, {@code label2id}), so a
   * pipeline that loads the model reports names instead of LABEL_i.
   */
  public BertConfig withLabelNames(List<String> names) {
    if (names.size() != numLabels) {
      throw new IllegalArgumentException("label names " + names + " for a classifier of " + numLabels + " labels");
    }
    ObjectNode n = raw.deepCopy();
    ObjectNode id2label = n.putObject("id2label");
    ObjectNode label2id = n.putObject("label2id");
    for (int i = 0; i < names.size(); i++) {
      id2label.put(String.valueOf(i), names.get(i));
      label2id.put(names.get(i), i);
    }
    return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, numLabels, fitSize, initializerRange, n);
  }

  /** The same model with {@code n} encoder layers (a student cut from this teacher's layers). */
  public BertConfig withNumHiddenLayers(int n) {
    return new BertConfig(vocabSize, hiddenSize, n, numAttentionHeads, intermediateSize, hiddenAct,
        maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, numLabels, fitSize, initializerRange, raw);
  }

  public BertConfig withFitSize(int fit) {
    return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, numLabels, fit, initializerRange, raw);
  }

  private static ObjectNode stripLabels(ObjectNode raw) {
    ObjectNode n = raw.deepCopy();
    n.remove("id2label");
    n.remove("label2id");
    n.remove("num_labels");
    return n;
  }
}
