package org.tinybert.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.core.BertConfig;
import org.tinybert.text.Vocab;

/**
 * A Hugging Face BERT model directory ({@code config.json}, {@code vocab.txt}, weights) as loaded: the config, the
 * weights under normalised {@link HfNames} (float32, in {@link HfNames#expectedShapes} order) and the heads found.
 *
 * @param config  the config, with {@code fit_size} and {@code num_labels} filled in from the weights where
 *                {@code config.json} leaves them out (TinyBERT's releases do)
 * @param weights name -> tensor, unmodifiable, exactly the names of {@link HfNames#expectedShapes}(config, heads)
 * @param source  the weights file read
 * @param heads   which optional parts the weights have
 */
public record HfCheckpoint(BertConfig config, Map<String, INDArray> weights, Path source, Heads heads) {

  public static final String CONFIG_FILE = "config.json";
  public static final String VOCAB_FILE = Vocab.FILE;
  public static final String SAFETENSORS_FILE = "model.safetensors";
  public static final String TORCH_FILE = "pytorch_model.bin";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Loads the model in {@code dir}: weights from {@code model.safetensors}, else {@code model.safetensors.index.json}
   * (sharded), else {@code pytorch_model.bin}; layouts normalised by {@link #normalise}; then every missing,
   * unexpected or mis-shaped weight is reported at once in one {@link CheckpointException}.
   */
  public static HfCheckpoint load(Path dir, Configuration conf) {
    Path configFile = new Path(dir, CONFIG_FILE);
    if (!HadoopIO.exists(configFile, conf)) {
      throw CheckpointException.of(dir, "not a model directory: no " + CONFIG_FILE);
    }
    BertConfig cfg;
    try {
      cfg = BertConfig.parse(HadoopIO.readAll(configFile, conf), configFile.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(configFile + ": cannot read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
    Path safetensors = new Path(dir, SAFETENSORS_FILE);
    Path index = new Path(dir, SafeTensors.INDEX_FILE);
    Path torch = new Path(dir, TORCH_FILE);
    Path source;
    Map<String, INDArray> raw;
    if (HadoopIO.exists(safetensors, conf)) {
      source = safetensors;
      raw = SafeTensors.read(safetensors, conf);
    } else if (HadoopIO.exists(index, conf)) {
      source = index;
      raw = SafeTensors.readSharded(index, conf);
    } else if (HadoopIO.exists(torch, conf)) {
      source = torch;
      raw = TorchCheckpoint.read(torch, conf);
    } else {
      throw CheckpointException.of(dir, "no weights: none of " + SAFETENSORS_FILE + ", " + SafeTensors.INDEX_FILE
          + ", " + TORCH_FILE);
    }
    Map<String, INDArray> weights = normalise(raw, cfg, source);
    boolean labelsInConfig = cfg.raw().has("num_labels") || cfg.raw().has("id2label");
    Heads heads = detectHeads(weights, cfg, labelsInConfig, source);
    cfg = fillIn(cfg, heads);
    return new HfCheckpoint(cfg, validate(weights, cfg, heads, source), source, heads);
  }

  /**
   * Hugging Face's layouts mapped onto one: {@code BertModel} names (no {@code bert.} prefix) gain it; TF-era
   * LayerNorm {@code gamma}/{@code beta} become {@code weight}/{@code bias}; the integer buffers
   * ({@link HfNames#isIntegerBuffer}) and BertForPreTraining's next-sentence head {@code cls.seq_relationship.*} are
   * dropped; {@code cls.predictions.decoder.weight} is dropped when the config ties it to the word embeddings (its
   * default, {@code tie_word_embeddings}), and {@code cls.predictions.decoder.bias}, which transformers ties to
   * {@code cls.predictions.bias}, is dropped or stands in for it. TinyBERT's {@code fit_dense(s)} are kept.
   */
  public static Map<String, INDArray> normalise(Map<String, INDArray> raw, BertConfig cfg, Object source) {
    boolean tied = cfg.raw().path("tie_word_embeddings").asBoolean(true);
    Map<String, INDArray> out = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : raw.entrySet()) {
      String name = e.getKey();
      if (HfNames.isIntegerBuffer(name)) continue;
      int dot = name.lastIndexOf('.');
      String last = name.substring(dot + 1);
      if (last.equals("gamma")) name = name.substring(0, dot + 1) + "weight";
      if (last.equals("beta")) name = name.substring(0, dot + 1) + "bias";
      if (name.startsWith("embeddings.") || name.startsWith("encoder.") || name.startsWith("pooler.")) {
        name = HfNames.PREFIX + name;
      }
      if (name.startsWith("cls.seq_relationship.")) continue;
      if (name.equals(HfNames.MLM_DECODER_WEIGHT) && tied) continue;
      if (name.equals("cls.predictions.decoder.bias")) {
        if (raw.containsKey(HfNames.MLM_BIAS)) continue;
        name = HfNames.MLM_BIAS;
      }
      String before = origin.put(name, e.getKey());
      if (before != null) {
        throw CheckpointException.of(source, "weights '" + before + "' and '" + e.getKey() + "' both stand for '"
            + name + "'");
      }
      out.put(name, e.getValue());
    }
    return out;
  }

  /**
   * The heads {@code weights} (normalised names) have. The classifier's label count comes from {@code cfg} when
   * {@code labelsFromConfig}, else from the classifier's rows; the fit size from {@code cfg.fitSize()} when set,
   * else from the projection's rows. A disagreement then shows up as a shape mismatch in {@link #validate}.
   */
  public static Heads detectHeads(Map<String, INDArray> weights, BertConfig cfg, boolean labelsFromConfig,
      Object source) {
    boolean pooler = weights.keySet().stream().anyMatch(n -> n.startsWith(HfNames.POOLER + "."));
    int numLabels = 0;
    if (weights.keySet().stream().anyMatch(n -> n.startsWith(HfNames.CLASSIFIER + "."))) {
      int rows = rows(weights, HfNames.CLASSIFIER);
      numLabels = labelsFromConfig || rows <= 0 ? cfg.numLabels() : rows;
    }
    boolean mlm = weights.keySet().stream().anyMatch(n -> n.startsWith("cls.predictions."));
    boolean decoder = weights.containsKey(HfNames.MLM_DECODER_WEIGHT);
    Heads.Fit fit = Heads.Fit.NONE;
    String fitModule = null;
    if (weights.keySet().stream().anyMatch(n -> n.startsWith(HfNames.FIT_DENSE + "."))) {
      fit = Heads.Fit.SHARED;
      fitModule = HfNames.FIT_DENSE;
    } else if (weights.keySet().stream().anyMatch(n -> n.startsWith("fit_denses."))) {
      fit = Heads.Fit.PER_REPRESENTATION;
      fitModule = HfNames.fitDense(0);
    }
    int fitSize = 0;
    if (fit != Heads.Fit.NONE) {
      fitSize = cfg.fitSize() > 0 ? cfg.fitSize() : rows(weights, fitModule);
      if (fitSize <= 0) {
        throw CheckpointException.of(source, "has " + fitModule + " weights but neither fit_size in the config nor"
            + " " + HfNames.weight(fitModule) + " to tell the teacher width");
      }
    }
    return new Heads(pooler, numLabels, mlm, decoder, fit, fitSize);
  }

  /** Rows of a linear module's weight (or bias), or -1 when neither is there. */
  private static int rows(Map<String, INDArray> weights, String module) {
    for (String name : List.of(HfNames.weight(module), HfNames.bias(module))) {
      INDArray a = weights.get(name);
      if (a != null && a.rank() >= 1) return (int) a.size(0);
    }
    return -1;
  }

  /** {@code cfg} with the label count and fit size the heads imply where it has none of its own. */
  private static BertConfig fillIn(BertConfig cfg, Heads heads) {
    if (heads.classifier() && heads.numLabels() != cfg.numLabels()) cfg = cfg.withNumLabels(heads.numLabels());
    if (heads.fit() != Heads.Fit.NONE && cfg.fitSize() != heads.fitSize()) cfg = cfg.withFitSize(heads.fitSize());
    return cfg;
  }

  /**
   * Checks {@code weights} against {@link HfNames#expectedShapes}: every missing weight, unexpected weight and shape
   * mismatch is reported at once, each naming the weight and both shapes. Returns the weights in expected order.
   */
  public static Map<String, INDArray> validate(Map<String, INDArray> weights, BertConfig cfg, Heads heads,
      Object source) {
    LinkedHashMap<String, long[]> expected = HfNames.expectedShapes(cfg, heads);
    List<String> problems = new ArrayList<>();
    Map<String, INDArray> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      INDArray w = weights.get(e.getKey());
      if (w == null) {
        problems.add("missing " + e.getKey() + ": expected shape " + Tensors.shape(e.getValue()) + ", found none");
      } else if (!java.util.Arrays.equals(w.shape(), e.getValue())) {
        problems.add(e.getKey() + ": expected shape " + Tensors.shape(e.getValue()) + ", found "
            + Tensors.shape(w.shape()));
      } else {
        ordered.put(e.getKey(), w);
      }
    }
    for (Map.Entry<String, INDArray> w : weights.entrySet()) {
      if (!expected.containsKey(w.getKey())) {
        problems.add("unexpected " + w.getKey() + ": expected no such weight, found shape "
            + Tensors.shape(w.getValue().shape()));
      }
    }
    if (!problems.isEmpty()) {
      throw CheckpointException.of(source, problems.size() + " weight problem(s) against the config (hidden_size "
          + cfg.hiddenSize() + ", " + cfg.numHiddenLayers() + " layers) and heads " + heads + ":\n  "
          + String.join("\n  ", problems));
    }
    return Collections.unmodifiableMap(ordered);
  }

  /**
   * This model with only the encoder layers {@code layers} (0-based, in the order given): layer i of the result holds
   * the tensors of this model's layer {@code layers[i]}, bit for bit; embeddings and heads are kept as they are.
   */
  public HfCheckpoint withLayers(int[] layers) {
    int n = config.numHiddenLayers();
    for (int l : layers) {
      if (l < 0 || l >= n) {
        throw new IllegalArgumentException("layer " + l + " outside 0.." + (n - 1) + " of " + source);
      }
    }
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : weights.entrySet()) {
      if (!HfNames.inEncoderLayer(e.getKey())) out.put(e.getKey(), e.getValue());
    }
    for (int i = 0; i < layers.length; i++) {
      String from = HfNames.layer(layers[i]) + ".";
      String to = HfNames.layer(i) + ".";
      for (Map.Entry<String, INDArray> e : weights.entrySet()) {
        if (e.getKey().startsWith(from)) out.put(to + e.getKey().substring(from.length()), e.getValue());
      }
    }
    BertConfig cut = config.withNumHiddenLayers(layers.length);
    return new HfCheckpoint(cut, validate(out, cut, heads, source), source, heads);
  }

  /**
   * Saves a model directory {@code dir} that {@code transformers} loads: {@code config.json} (with
   * {@code architectures}, {@code model_type} bert and TinyBERT's {@code fit_size}), {@code vocab.txt} (one token
   * per line, id order), {@code model.safetensors} (float32), and the tokenizer files ({@link TokenizerFiles}:
   * {@code tokenizer.json} for fast tokenizers among them) that tell {@code AutoTokenizer} the casing the model was
   * trained with ({@code lowerCase}). The weights are validated first, as
   * {@link #load} would. Everything is written into a temporary sibling directory that is then renamed into place,
   * so a crash never leaves a half-written model where a reader would take it as complete.
   */
  public static void save(Path dir, BertConfig cfg, Map<String, INDArray> weights, List<String> vocabTokens,
      boolean lowerCase, Configuration conf) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < vocabTokens.size(); i++) {
      String t = vocabTokens.get(i);
      if (t == null || t.isEmpty() || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
        throw CheckpointException.of(dir, "vocabulary token " + i + " is '" + t + "'; tokens must be non-empty"
            + " single lines");
      }
      sb.append(t).append('\n');
    }
    write(dir, cfg, weights, sb.toString().getBytes(StandardCharsets.UTF_8), vocabTokens, lowerCase, conf);
  }

  /**
   * As {@link #save(Path, BertConfig, Map, List, boolean, Configuration)}, copying the vocabulary from
   * {@code vocabFile}.
   */
  public static void save(Path dir, BertConfig cfg, Map<String, INDArray> weights, Path vocabFile,
      boolean lowerCase, Configuration conf) {
    byte[] vocab;
    try {
      vocab = HadoopIO.readAll(vocabFile, conf);
    } catch (IOException e) {
      throw new UncheckedIOException(vocabFile + ": cannot read: " + e.getMessage(), e);
    }
    write(dir, cfg, weights, vocab, Vocab.lines(vocab, vocabFile.toString()), lowerCase, conf);
  }

  private static void write(Path dir, BertConfig cfg, Map<String, INDArray> weights, byte[] vocab,
      List<String> vocabTokens, boolean lowerCase, Configuration conf) {
    int vocabLines = vocabTokens.size();
    if (vocabLines == 0 || vocabLines > cfg.vocabSize()) {
      throw CheckpointException.of(dir, "vocabulary of " + vocabLines + " tokens for vocab_size "
          + cfg.vocabSize() + "; expected 1 to " + cfg.vocabSize());
    }
    String what = "weights to save in " + dir;
    Heads heads = detectHeads(weights, cfg, true, what);
    BertConfig full = fillIn(cfg, heads);
    Map<String, INDArray> ordered = validate(weights, full, heads, what);
    byte[] configJson = configJson(full, heads);

    Path parent = dir.getParent();
    if (parent == null) throw CheckpointException.of(dir, "a model directory needs a parent directory");
    FileSystem fs = HadoopIO.fs(dir, conf);
    String id = UUID.randomUUID().toString();
    Path tmp = new Path(parent, "." + dir.getName() + "." + id + ".tmp");
    Path old = new Path(parent, "." + dir.getName() + "." + id + ".old");
    try {
      try {
        if (!fs.mkdirs(tmp)) throw new IOException("cannot create " + tmp);
        HadoopIO.writeAtomically(new Path(tmp, CONFIG_FILE), conf, configJson);
        HadoopIO.writeAtomically(new Path(tmp, VOCAB_FILE), conf, vocab);
        SafeTensors.write(ordered, new Path(tmp, SAFETENSORS_FILE), conf);
        TokenizerFiles.write(fs, tmp, conf, vocabTokens, lowerCase, full.maxPositionEmbeddings());
        boolean replacing = fs.exists(dir);
        if (replacing && !fs.rename(dir, old)) throw new IOException("cannot move the old " + dir + " aside");
        if (!fs.rename(tmp, dir)) {
          if (replacing) fs.rename(old, dir);
          throw new IOException("cannot rename " + tmp + " to " + dir);
        }
        if (replacing) fs.delete(old, true);
      } finally {
        if (fs.exists(tmp)) fs.delete(tmp, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot save the model: " + e.getMessage(), e);
    }
  }

  /** config.json as transformers reads it; {@code architectures} names the classes whose weights are present. */
  private static byte[] configJson(BertConfig cfg, Heads heads) {
    try {
      ObjectNode json = (ObjectNode) JSON.readTree(cfg.toJson());
      ArrayNode arch = json.putArray("architectures");
      if (heads.classifier()) arch.add("BertForSequenceClassification");
      if (heads.mlm()) arch.add("BertForMaskedLM");
      if (arch.isEmpty()) arch.add("BertModel");
      json.put("tie_word_embeddings", !heads.mlmDecoder());
      json.put("torch_dtype", "float32");
      return JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new IllegalStateException("cannot re-read the config this code wrote", e);
    }
  }
}
