package org.tinybert.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;

/**
 * A BERT tokenizer as Hugging Face's {@code tokenizers} library saves it, {@code tokenizer.json}: the WordPiece
 * vocabulary ({@code model.vocab}) and the casing ({@code normalizer}). transformers 5 saves a model's tokenizer only
 * this way (no {@code vocab.txt}), and a fast tokenizer loads it in preference to {@code vocab.txt}.
 *
 * <p>Only what {@link BertTokenizer} does exactly is accepted: a WordPiece model with {@code [UNK]}, the {@code ##}
 * prefix and BERT's 100-character rule; a {@code BertNormalizer} (alone, or the only member of a {@code Sequence},
 * as converted BERT checkpoints have it) that cleans text, isolates Chinese characters and strips accents exactly when
 * it lower-cases (BERT's {@code do_lower_case}; {@code strip_accents} null means that); BERT's pre-tokenizer; and
 * added tokens that are vocabulary entries. Anything else would tokenize differently here than in {@code transformers}
 * without a sign, so it is refused with the setting found.
 *
 * @param vocab     {@code model.vocab} in id order
 * @param lowerCase the normaliser's {@code lowercase}
 */
public record TokenizerJson(Vocab vocab, boolean lowerCase) {
  public static final String FILE = "tokenizer.json";

  private static final String PREFIX = "##";
  private static final ObjectMapper READER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Reads and checks {@code file} (any Hadoop file system). */
  public static TokenizerJson read(Path file, Configuration conf) {
    return parse(bytes(file, conf), file.toString());
  }

  /** Parses and checks the bytes of a {@code tokenizer.json}; {@code source} names it in error messages. */
  public static TokenizerJson parse(byte[] bytes, String source) {
    JsonNode root = tree(bytes, source);
    boolean lowerCase = lowerCase(root, source);
    JsonNode model = root.get("model");
    List<String> tokens = vocabulary(model.get("vocab"), source);
    checkAddedTokens(root.get("added_tokens"), tokens, source);
    return new TokenizerJson(Vocab.of(tokens, source + " (model.vocab)"), lowerCase);
  }

  /**
   * Only the casing of {@code file}: its model and normaliser are checked as {@link #read} checks them, its
   * vocabulary is not looked at (a directory that has {@code vocab.txt} takes the vocabulary from there).
   */
  public static boolean readLowerCase(Path file, Configuration conf) {
    String source = file.toString();
    return lowerCase(tree(bytes(file, conf), source), source);
  }

  private static byte[] bytes(Path file, Configuration conf) {
    try {
      return HadoopIO.readAll(file, conf);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonNode tree(byte[] bytes, String source) {
    JsonNode root;
    try {
      root = READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InputException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) throw new InputException(source + ": expected a JSON object");
    return root;
  }

  /** Checks the model and the text handling before the vocabulary, and returns the normaliser's casing. */
  private static boolean lowerCase(JsonNode root, String source) {
    JsonNode model = root.get("model");
    if (model == null || !model.isObject()) {
      throw new InputException(source + ": expected a \"model\" object (a tokenizers model), found " + model);
    }
    String type = model.path("type").asText("(none)");
    if (!type.equals("WordPiece")) {
      throw new InputException(source + ": model.type is " + type + ", but only WordPiece tokenizers (BERT's) can be "
          + "read");
    }
    // tokenizers' own defaults where a key is left out.
    expect(model, "unk_token", Vocab.UNK, source, "model.");
    expect(model, "continuing_subword_prefix", PREFIX, source, "model.");
    JsonNode maxChars = model.get("max_input_chars_per_word");
    int bertMax = BertTokenizer.MAX_INPUT_CHARS_PER_WORD;
    if (maxChars != null && !(maxChars.isIntegralNumber() && maxChars.asLong() == bertMax)) {
      throw new InputException(source + ": model.max_input_chars_per_word must be " + bertMax
          + " (BERT's rule, the only one the tokenizer here has), found "
          + maxChars);
    }
    checkPreTokenizer(root.get("pre_tokenizer"), source);
    return normaliser(root.get("normalizer"), source);
  }

  private static void expect(JsonNode node, String key, String expected, String source, String path) {
    JsonNode v = node.get(key);
    if (v != null && !(v.isTextual() && v.asText().equals(expected))) {
      throw new InputException(source + ": " + path + key + " must be \"" + expected + "\" as in BERT, found " + v);
    }
  }

  /** The BertNormalizer's {@code lowercase}, after checking that BertTokenizer does what the normaliser does. */
  private static boolean normaliser(JsonNode n, String source) {
    JsonNode bert = only(n, "BertNormalizer", "normalizer", "normalizers", source);
    for (String key : List.of("clean_text", "handle_chinese_chars")) {
      JsonNode v = bert.get(key);
      if (v != null && !(v.isBoolean() && v.booleanValue())) {
        throw new InputException(source + ": normalizer " + key + " must be true (BERT's basic tokenizer always "
            + "does it), found " + v);
      }
    }
    JsonNode lc = bert.get("lowercase");
    if (lc != null && !lc.isBoolean()) {
      throw new InputException(source + ": normalizer lowercase must be true or false, found " + lc);
    }
    boolean lowerCase = lc == null || lc.booleanValue();
    JsonNode strip = bert.get("strip_accents");
    if (strip != null && !strip.isNull() && !(strip.isBoolean() && strip.booleanValue() == lowerCase)) {
      throw new InputException(source + ": normalizer strip_accents is " + strip + " with lowercase " + lowerCase
          + "; only null or " + lowerCase + " can be read (accents are stripped exactly when text is lower-cased, "
          + "as with BERT's do_lower_case)");
    }
    return lowerCase;
  }

  private static void checkPreTokenizer(JsonNode n, String source) {
    only(n, "BertPreTokenizer", "pre_tokenizer", "pretokenizers", source);
  }

  /**
   * The component of type {@code type} that {@code n} is, or that is the only member of {@code n} as a
   * {@code Sequence} (its list under {@code members}); anything else is refused naming the types found.
   */
  private static JsonNode only(JsonNode n, String type, String what, String members, String source) {
    if (n == null || n.isNull()) {
      throw new InputException(source + ": " + what + " is null; BERT's tokenizer needs a " + type);
    }
    String found = n.path("type").asText("(none)");
    if (found.equals(type)) return n;
    if (found.equals("Sequence")) {
      JsonNode list = n.get(members);
      List<String> types = new ArrayList<>();
      if (list != null && list.isArray()) list.forEach(m -> types.add(m.path("type").asText("(none)")));
      if (types.equals(List.of(type))) return list.get(0);
      throw new InputException(source + ": " + what + " is a Sequence of " + types + "; only a " + type
          + " (alone or as the only member) can be read");
    }
    throw new InputException(source + ": " + what + ".type is " + found + "; only a " + type + " can be read");
  }

  /** {@code model.vocab} (token to id) as the id-ordered list; the ids must be exactly 0 to n-1. */
  private static List<String> vocabulary(JsonNode vocab, String source) {
    if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
      throw new InputException(source + ": model.vocab must be a non-empty object of token: id, found "
          + (vocab == null ? "none" : vocab.getNodeType()));
    }
    int n = vocab.size();
    String[] tokens = new String[n];
    var fields = vocab.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode id = e.getValue();
      if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= n) {
        throw new InputException(source + ": model.vocab id of \"" + e.getKey() + "\" must be an integer in [0, "
            + n + ") (ids are 0 to n-1 for " + n + " tokens), found " + id);
      }
      int i = id.asInt();
      if (tokens[i] != null) {
        throw new InputException(source + ": model.vocab gives id " + i + " to both \"" + tokens[i] + "\" and \""
            + e.getKey() + "\"; each id must belong to one token");
      }
      tokens[i] = e.getKey();
    }
    // n distinct ids in [0, n) leave no gap.
    return Arrays.asList(tokens);
  }

  /**
   * Added tokens must be vocabulary entries at their own ids ([CLS], [SEP] and the rest in BERT): the tokenizer here
   * reads only the WordPiece vocabulary, and an id beyond it would be one the model here never produces.
   */
  private static void checkAddedTokens(JsonNode added, List<String> tokens, String source) {
    if (added == null || added.isNull()) return;
    if (!added.isArray()) throw new InputException(source + ": added_tokens must be a list, found " + added);
    for (JsonNode t : added) {
      int id = t.path("id").asInt(-1);
      String content = t.path("content").asText(null);
      if (content == null || id < 0 || id >= tokens.size() || !tokens.get(id).equals(content)) {
        throw new InputException(source + ": added token " + t.path("content") + " (id " + t.path("id") + ") is not "
            + "the model.vocab entry of that id; only added tokens that are vocabulary entries can be read");
      }
    }
  }

  /**
   * Why {@code tokens} (id order) cannot be written as a {@code tokenizer.json}, or empty when it can: it must hold
   * BERT's special tokens (the post-processor names [CLS] and [SEP] by id) and no token twice (a token is a key of
   * {@code model.vocab}, so a repeated one would leave a gap in the ids).
   */
  public static Optional<String> cannotWrite(List<String> tokens) {
    Map<String, Integer> seen = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      Integer before = seen.put(tokens.get(i), i);
      if (before != null) {
        return Optional.of("token \"" + tokens.get(i) + "\" is both id " + before + " and id " + i);
      }
    }
    List<String> missing = new ArrayList<>();
    for (String s : Vocab.SPECIAL_TOKENS) {
      if (!seen.containsKey(s)) missing.add(s);
    }
    return missing.isEmpty() ? Optional.empty() : Optional.of("the vocabulary lacks " + String.join(", ", missing));
  }

  /**
   * {@code tokenizer.json} for {@code tokens} (id order) as transformers' {@code BertTokenizerFast} saves it: BERT's
   * normaliser (accents stripped when lower-casing, {@code strip_accents} null as in {@code tokenizer_config.json}),
   * pre-tokenizer, {@code [CLS] A [SEP] B [SEP]} template with segment ids, WordPiece decoder and model, and the
   * special tokens as added tokens. Check {@link #cannotWrite} first.
   */
  public static byte[] write(List<String> tokens, boolean lowerCase) {
    cannotWrite(tokens).ifPresent(why -> {
      throw new IllegalArgumentException("cannot write tokenizer.json: " + why);
    });
    Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);

    ObjectNode root = WRITER.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    TreeMap<Integer, String> special = new TreeMap<>();
    for (String s : Vocab.SPECIAL_TOKENS) special.put(ids.get(s), s);
    special.forEach((id, s) -> added.addObject()
        .put("id", id).put("content", s).put("single_word", false).put("lstrip", false).put("rstrip", false)
        .put("normalized", false).put("special", true));

    ObjectNode normalizer = root.putObject("normalizer");
    normalizer.put("type", "BertNormalizer");
    normalizer.put("clean_text", true);
    normalizer.put("handle_chinese_chars", true);
    normalizer.putNull("strip_accents");
    normalizer.put("lowercase", lowerCase);
    root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");

    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    special(single, Vocab.CLS, 0);
    sequence(single, "A", 0);
    special(single, Vocab.SEP, 0);
    ArrayNode pair = post.putArray("pair");
    special(pair, Vocab.CLS, 0);
    sequence(pair, "A", 0);
    special(pair, Vocab.SEP, 0);
    sequence(pair, "B", 1);
    special(pair, Vocab.SEP, 1);
    ObjectNode specialTokens = post.putObject("special_tokens");
    for (String s : List.of(Vocab.CLS, Vocab.SEP)) {
      ObjectNode t = specialTokens.putObject(s);
      t.put("id", s);
      t.putArray("ids").add(ids.get(s));
      t.putArray("tokens").add(s);
    }

    root.putObject("decoder").put("type", "WordPiece").put("prefix", PREFIX).put("cleanup", true);

    ObjectNode model = root.putObject("model");
    model.put("type", "WordPiece");
    model.put("unk_token", Vocab.UNK);
    model.put("continuing_subword_prefix", PREFIX);
    model.put("max_input_chars_per_word", BertTokenizer.MAX_INPUT_CHARS_PER_WORD);
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
    try {
      return WRITER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree built here", e);
    }
  }

  private static void special(ArrayNode template, String token, int typeId) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
  }
}
