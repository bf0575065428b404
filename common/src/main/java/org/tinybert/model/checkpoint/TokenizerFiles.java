package org.tinybert.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;

/**
 * The tokenizer files of a Hugging Face model directory, {@code tokenizer_config.json},
 * {@code special_tokens_map.json} and {@code tokenizer.json}: with them {@code AutoTokenizer.from_pretrained} builds
 * the model's own BERT tokenizer, slow or fast (its casing above all: without them {@code transformers} lower-cases,
 * and a cased model would be fed lower-cased text). Written beside every model the project saves; read back for the
 * casing a model was trained with.
 */
public final class TokenizerFiles {
  public static final String CONFIG_FILE = "tokenizer_config.json";
  public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Logger LOG = LoggerFactory.getLogger(TokenizerFiles.class);

  private TokenizerFiles() {}

  /** BERT's special tokens, by the names {@code transformers} gives them. */
  static Map<String, String> specialTokens() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cls_token", Vocab.CLS);
    m.put("mask_token", Vocab.MASK);
    m.put("pad_token", Vocab.PAD);
    m.put("sep_token", Vocab.SEP);
    m.put("unk_token", Vocab.UNK);
    return m;
  }

  /**
   * Writes the tokenizer files into {@code dir}. {@code strip_accents} is left null, which {@code BertTokenizer}
   * reads as "as do_lower_case": accents stripped when lower-casing, kept otherwise, as this project's tokenizer does.
   * {@code tokenizer.json} ({@link TokenizerJson#write}) is what a fast tokenizer loads; it is left out, with a
   * warning, for a vocabulary it cannot hold (no BERT special tokens, a token twice), which no fast tokenizer could
   * load either.
   *
   * @param vocab the vocabulary in id order, as written to {@code vocab.txt}
   */
  static void write(FileSystem fs, Path dir, Configuration conf, List<String> vocab, boolean lowerCase,
      int modelMaxLength) throws IOException {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("tokenizer_class", "BertTokenizer");
    config.put("do_lower_case", lowerCase);
    config.put("strip_accents", null);
    config.put("tokenize_chinese_chars", true);
    config.put("model_max_length", modelMaxLength);
    config.putAll(specialTokens());
    try (OutputStream out = fs.create(new Path(dir, CONFIG_FILE), false)) {
      out.write(JSON.writeValueAsBytes(config));
    }
    try (OutputStream out = fs.create(new Path(dir, SPECIAL_TOKENS_FILE), false)) {
      out.write(JSON.writeValueAsBytes(specialTokens()));
    }
    Optional<String> cannot = TokenizerJson.cannotWrite(vocab);
    if (cannot.isPresent()) {
      LOG.warn("no {} beside the model: {}", TokenizerJson.FILE, cannot.get());
    } else {
      HadoopIO.writeAtomically(new Path(dir, TokenizerJson.FILE), conf, TokenizerJson.write(vocab, lowerCase));
    }
  }

  /**
   * Whether text for the model at {@code dir} is lower-cased (and its accents stripped): {@code lowerCase} when a
   * setting gives it, else what the model's tokenizer files say ({@link #lowerCase(Path, Configuration)}), else true
   * (uncased, BERT's default). A setting that contradicts the model's own file is refused: a cased model fed
   * lower-cased text, or the reverse, runs but answers worse, with nothing to show why.
   *
   * @param lowerCase the setting's value, or null when it is left to the model
   * @param setting how the user gives it (for the message), e.g. {@code tinybert.evaluate.cased = true}
   */
  public static boolean lowerCase(Boolean lowerCase, String setting, Path dir, Configuration conf) {
    return decide(lowerCase, setting, casing(dir, conf));
  }

  /**
   * {@link #lowerCase(Boolean, String, Path, Configuration)} for a {@code cased} setting (its opposite), named
   * {@code key}.
   */
  public static boolean lowerCaseForCased(Boolean cased, String key, Path dir, Configuration conf) {
    return lowerCase(cased == null ? null : !cased, key + " = " + cased, dir, conf);
  }

  /**
   * {@link #lowerCaseForCased(Boolean, String, Path, Configuration)} for a {@code tokenizer.json} read on its own
   * ({@code file}, not a model directory): its normaliser's casing is the model's.
   */
  public static boolean lowerCaseForCased(Boolean cased, String key, TokenizerJson json, Path file) {
    Casing says = new Casing(json.lowerCase(), file + ", whose normalizer says lowercase " + json.lowerCase());
    return decide(cased == null ? null : !cased, key + " = " + cased, Optional.of(says));
  }

  private static boolean decide(Boolean lowerCase, String setting, Optional<Casing> model) {
    if (lowerCase == null) return model.map(Casing::lowerCase).orElse(true);
    if (model.isPresent() && model.get().lowerCase() != lowerCase.booleanValue()) {
      boolean m = model.get().lowerCase();
      throw new InputException(setting + " does not match " + model.get().says() + " (the model was trained "
          + (m ? "uncased" : "cased") + "); leave the setting unset to follow the model");
    }
    return lowerCase;
  }

  /**
   * The casing {@code dir}'s tokenizer files give, if it has any: {@code tokenizer_config.json}'s
   * {@code do_lower_case} (a missing key means true, BertTokenizer's default) and {@code tokenizer.json}'s
   * normaliser {@code lowercase}. transformers 5 lets the first override the second, so a directory where they
   * differ tokenizes one way there and, read the other way, differently here: both present must agree, and a
   * directory where they do not is refused with both files named. With one of them, that one decides.
   */
  public static Optional<Boolean> lowerCase(Path dir, Configuration conf) {
    return casing(dir, conf).map(Casing::lowerCase);
  }

  /** A casing and the file (or files) it was read from, for messages. */
  private record Casing(boolean lowerCase, String says) {}

  private static Optional<Casing> casing(Path dir, Configuration conf) {
    Optional<Boolean> config = configLowerCase(dir, conf);
    Path jsonFile = new Path(dir, TokenizerJson.FILE);
    Optional<Boolean> json = HadoopIO.exists(jsonFile, conf)
        ? Optional.of(TokenizerJson.readLowerCase(jsonFile, conf)) : Optional.empty();
    Path configFile = new Path(dir, CONFIG_FILE);
    String configSays = configFile + ", which says do_lower_case " + config.orElse(null);
    String jsonSays = jsonFile + ", whose normalizer says lowercase " + json.orElse(null);
    if (config.isPresent() && json.isPresent()) {
      if (!config.get().equals(json.get())) {
        throw new CheckpointException(configFile + " says do_lower_case " + config.get() + " but " + jsonFile
            + " says normalizer lowercase " + json.get() + "; the model's two tokenizer files must agree on its casing"
            + " (transformers follows " + CONFIG_FILE + ")");
      }
      return Optional.of(new Casing(config.get(), configSays + " (as does " + jsonFile + ")"));
    }
    if (config.isPresent()) return Optional.of(new Casing(config.get(), configSays));
    return json.map(lc -> new Casing(lc, jsonSays));
  }

  /**
   * The {@code do_lower_case} of {@code dir}'s {@code tokenizer_config.json}, if the directory has the file (Hugging
   * Face's BERT checkpoints do; a missing key means true, BertTokenizer's default).
   */
  private static Optional<Boolean> configLowerCase(Path dir, Configuration conf) {
    Path file = new Path(dir, CONFIG_FILE);
    if (!HadoopIO.exists(file, conf)) return Optional.empty();
    JsonNode n;
    try {
      n = JSON.readTree(HadoopIO.readAll(file, conf));
    } catch (IOException e) {
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
        throw new CheckpointException(file + ": not valid JSON: " + e.getMessage(), e);
      }
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) throw new CheckpointException(file + ": expected a JSON object");
    JsonNode lc = n.get("do_lower_case");
    if (lc != null && !lc.isNull() && !lc.isBoolean()) {
      throw new CheckpointException(file + ": do_lower_case must be true or false, found " + lc);
    }
    boolean lowerCase = lc == null || lc.isNull() || lc.booleanValue();
    // What BertTokenizer here cannot do differently, as tokenizer.json's normaliser is held to (TokenizerJson).
    JsonNode strip = n.get("strip_accents");
    if (strip != null && !strip.isNull() && !(strip.isBoolean() && strip.booleanValue() == lowerCase)) {
      throw new CheckpointException(file + ": strip_accents is " + strip + " with do_lower_case " + lowerCase
          + "; only null or " + lowerCase + " can be read (accents are stripped exactly when text is lower-cased)");
    }
    JsonNode chinese = n.get("tokenize_chinese_chars");
    if (chinese != null && !chinese.isNull() && !(chinese.isBoolean() && chinese.booleanValue())) {
      throw new CheckpointException(file + ": tokenize_chinese_chars must be true (BERT's basic tokenizer always "
          + "isolates them), found " + chinese);
    }
    return Optional.of(lowerCase);
  }
}
