package org.tinybert.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tinybert.io.InputException;
import org.tinybert.testing.GoldenSet;

/**
 * {@code tokenizer.json} as the vocabulary and casing of a model directory: read as transformers 5 writes it, written
 * as transformers writes it, tokenizing exactly as the same vocabulary in {@code vocab.txt}, and refused with a reason
 * when it describes a tokenizer that {@link BertTokenizer} is not.
 */
class TokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Configuration CONF = new Configuration();
  private static final String FIXTURES = "/org/tinybert/text/transformers5/";
  private static final Vocab GOLDEN = GoldenTokenizerTest.vocab("/org/tinybert/golden/vocab.txt");

  @TempDir
  static java.nio.file.Path dirs;

  @TempDir
  java.nio.file.Path tmp;

  /** (set, lower-case?) -> {tokenizer from vocab.txt, tokenizer from a directory with only tokenizer.json}. */
  private static final Map<String, BertTokenizer[]> PAIRS = new ConcurrentHashMap<>();

  /**
   * The golden set's vocabulary read from a model directory that has only {@code vocab.txt} (its casing as given,
   * the way a setting or tokenizer_config.json gives it), and from one that has only a {@code tokenizer.json} made
   * here from the same vocabulary (its casing read from the file).
   */
  private static BertTokenizer[] pair(GoldenSet set, boolean lowerCase) {
    return PAIRS.computeIfAbsent(set.name() + "/" + lowerCase, k -> {
      try {
        Vocab vocab = GoldenTokenizerTest.vocab(GoldenTokenizerTest.resource(set, "vocab.txt"));
        java.nio.file.Path txt = Files.createDirectories(dirs.resolve(set.name() + "-txt"));
        vocab.write(new Path(txt.resolve(Vocab.FILE).toString()), CONF);
        java.nio.file.Path json = Files.createDirectories(dirs.resolve(set.name() + "-json-" + lowerCase));
        Files.write(json.resolve(TokenizerJson.FILE), TokenizerJson.write(vocab.tokens(), lowerCase));
        Path jsonDir = new Path(json.toString());
        assertFalse(Files.exists(json.resolve(Vocab.FILE)));
        return new BertTokenizer[] {
            new BertTokenizer(Vocab.ofModel(new Path(txt.toString()), vocab.size(), CONF), lowerCase),
            new BertTokenizer(Vocab.ofModel(jsonDir, vocab.size(), CONF),
                TokenizerJson.readLowerCase(new Path(jsonDir, TokenizerJson.FILE), CONF))};
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * Every text the tokenizer tests cover, cased and uncased: each golden set's tokenizer cases and input examples
   * (as pairs), and the Unicode 14.0 cases.
   */
  static Stream<Arguments> texts() {
    List<Arguments> out = new ArrayList<>();
    for (boolean lowerCase : new boolean[] {true, false}) {
      for (GoldenSet set : GoldenSet.all()) {
        GoldenTokenizerTest.json(GoldenTokenizerTest.resource(set, "tokenizer_cases.json")).get("cases").forEach(c ->
            out.add(Arguments.of(set, lowerCase, GoldenTokenizerTest.escape(c.get("text").asText()),
                c.get("text").asText(), null)));
        GoldenTokenizerTest.json(GoldenTokenizerTest.resource(set, "inputs.json")).get("examples").forEach(e ->
            out.add(Arguments.of(set, lowerCase, GoldenTokenizerTest.escape(e.get("text_a").asText()),
                e.get("text_a").asText(), e.get("text_b").isNull() ? null : e.get("text_b").asText())));
      }
      GoldenTokenizerTest.json("/org/tinybert/text/unicode14_cases.json").get("cases").forEach(c ->
          out.add(Arguments.of(GoldenSet.SEED1, lowerCase, GoldenTokenizerTest.escape(c.get("text").asText()),
              c.get("text").asText(), null)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{index}] {0} lower-case {1}: {2}")
  @MethodSource("texts")
  void aDirectoryWithOnlyTokenizerJsonTokenizesAsTheSameVocabularyInVocabTxt(GoldenSet set, boolean lowerCase,
      String name, String textA, String textB) {
    BertTokenizer[] p = pair(set, lowerCase);
    BertTokenizer txt = p[0];
    BertTokenizer json = p[1];
    assertEquals(lowerCase, json.doLowerCase(), "casing read from tokenizer.json");
    assertEquals(txt.vocab().tokens(), json.vocab().tokens());
    for (String text : textB == null ? List.of(textA) : List.of(textA, textB)) {
      assertEquals(txt.basicTokenize(text), json.basicTokenize(text), "basic tokens");
      List<String> tokens = txt.tokenize(text);
      assertEquals(tokens, json.tokenize(text), "WordPieces");
      assertArrayEquals(txt.toIds(tokens), json.toIds(tokens), "ids");
    }
    EncodedInput a = txt.encode(textA, textB, 24);
    EncodedInput b = json.encode(textA, textB, 24);
    assertArrayEquals(a.inputIds(), b.inputIds(), "input_ids");
    assertArrayEquals(a.segmentIds(), b.segmentIds(), "segment_ids");
    assertArrayEquals(a.inputMask(), b.inputMask(), "input_mask");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"uncased", "cased"})
  void readsWhatTransformers5Saves(String name) {
    Path dir = fixture(name);
    assertEquals(GOLDEN.tokens(), Vocab.ofModel(dir, GOLDEN.size(), CONF).tokens());
    assertEquals(name.equals("uncased"), TokenizerJson.readLowerCase(new Path(dir, TokenizerJson.FILE), CONF));
    TokenizerJson read = TokenizerJson.read(new Path(dir, TokenizerJson.FILE), CONF);
    assertEquals(GOLDEN.tokens(), read.vocab().tokens());
    assertEquals(name.equals("uncased"), read.lowerCase());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"uncased", "cased"})
  void writesWhatTransformersWrites(String name) throws IOException {
    JsonNode theirs = JSON.readTree(bytes(FIXTURES + name + "/" + TokenizerJson.FILE));
    JsonNode ours = JSON.readTree(TokenizerJson.write(GOLDEN.tokens(), name.equals("uncased")));
    assertEquals(theirs, ours);
  }

  @Test
  void aModelDirectoryWithNeitherFileIsNamed() throws IOException {
    Path empty = new Path(Files.createDirectories(tmp.resolve("empty")).toString());
    assertFalse(Vocab.inModel(empty, CONF));
    InputException e = assertThrows(InputException.class, () -> Vocab.ofModel(empty, CONF));
    assertTrue(e.getMessage().contains(empty + " has neither vocab.txt nor tokenizer.json"), e.getMessage());
  }

  @Test
  void vocabTxtComesFirstWhenADirectoryHasBoth() throws IOException {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("both"));
    List<String> other = new ArrayList<>(GOLDEN.tokens());
    other.add("extra");
    Files.write(dir.resolve(TokenizerJson.FILE), TokenizerJson.write(other, true));
    GOLDEN.write(new Path(dir.resolve(Vocab.FILE).toString()), CONF);
    assertTrue(Vocab.inModel(new Path(dir.toString()), CONF));
    assertEquals(GOLDEN.tokens(), Vocab.ofModel(new Path(dir.toString()), CONF).tokens());
  }

  @Test
  void aVocabularyOfAnotherSizeThanTheModelsIsRefused() {
    InputException e = assertThrows(InputException.class, () -> Vocab.ofModel(fixture("cased"), 513, CONF));
    assertTrue(e.getMessage().contains("tokenizer.json (model.vocab) has 512 tokens but the model's config.json says "
        + "vocab_size 513"), e.getMessage());
  }

  // ---------------------------------------------------------------- what is refused, and why

  /** The transformers 5 fixture changed by {@code edit}, parsed; the error's message, which must name the file. */
  private static String refused(Consumer<ObjectNode> edit) {
    ObjectNode root;
    try {
      root = (ObjectNode) JSON.readTree(bytes(FIXTURES + "uncased/" + TokenizerJson.FILE));
      edit.accept(root);
      byte[] changed = JSON.writeValueAsBytes(root);
      String msg = assertThrows(InputException.class, () -> TokenizerJson.parse(changed, "some/tokenizer.json"))
          .getMessage();
      assertTrue(msg.startsWith("some/tokenizer.json"), msg);
      assertFalse(msg.contains("\n"), "one line: " + msg);
      return msg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertContains(String message, String... parts) {
    for (String p : parts) assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
  }

  @Test
  void aTokenizerThatIsNotWordPieceIsRefusedWithItsType() {
    assertContains(refused(root -> {
      ObjectNode bpe = root.putObject("model");
      bpe.put("type", "BPE");
      bpe.putObject("vocab").put("a", 0);
      bpe.putArray("merges");
    }), "model.type is BPE", "only WordPiece tokenizers (BERT's) can be read");
    assertContains(refused(root -> ((ObjectNode) root.get("model")).remove("type")), "model.type is (none)");
    assertContains(refused(root -> root.remove("model")), "expected a \"model\" object");
  }

  @Test
  void aNormaliserThatBertTokenizerDoesNotReproduceIsRefused() {
    assertContains(refused(root -> {
      ObjectNode seq = root.putObject("normalizer");
      seq.put("type", "Sequence");
      var list = seq.putArray("normalizers");
      for (String t : List.of("NFD", "Lowercase", "StripAccents")) list.addObject().put("type", t);
    }), "normalizer is a Sequence of [NFD, Lowercase, StripAccents]", "only a BertNormalizer");
    assertContains(refused(root -> ((ObjectNode) root.get("normalizer")).put("strip_accents", false)),
        "normalizer strip_accents is false with lowercase true");
    assertContains(refused(root -> ((ObjectNode) root.get("normalizer")).put("handle_chinese_chars", false)),
        "normalizer handle_chinese_chars must be true");
    assertContains(refused(root -> ((ObjectNode) root.get("normalizer")).put("clean_text", false)),
        "normalizer clean_text must be true");
    assertContains(refused(root -> ((ObjectNode) root.get("normalizer")).put("lowercase", "yes")),
        "normalizer lowercase must be true or false");
    assertContains(refused(root -> root.putNull("normalizer")), "normalizer is null");
    assertContains(refused(root -> root.putObject("normalizer").put("type", "NFKC")),
        "normalizer.type is NFKC");
    assertContains(refused(root -> root.putObject("pre_tokenizer").put("type", "Whitespace")),
        "pre_tokenizer.type is Whitespace", "only a BertPreTokenizer");
  }

  @Test
  void aSequenceHoldingOnlyBertsNormaliserIsRead() throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(bytes(FIXTURES + "cased/" + TokenizerJson.FILE));
    JsonNode bert = root.get("normalizer");
    ObjectNode seq = root.putObject("normalizer");
    seq.put("type", "Sequence");
    seq.putArray("normalizers").add(bert);
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    pre.putArray("pretokenizers").addObject().put("type", "BertPreTokenizer");
    TokenizerJson read = TokenizerJson.parse(JSON.writeValueAsBytes(root), "seq/tokenizer.json");
    assertFalse(read.lowerCase());
    assertEquals(GOLDEN.tokens(), read.vocab().tokens());
  }

  @Test
  void wordPieceSettingsOtherThanBertsAreRefused() {
    assertContains(refused(root -> ((ObjectNode) root.get("model")).put("continuing_subword_prefix", "@@")),
        "model.continuing_subword_prefix must be \"##\"");
    assertContains(refused(root -> ((ObjectNode) root.get("model")).put("unk_token", "<unk>")),
        "model.unk_token must be \"[UNK]\"");
    assertContains(refused(root -> ((ObjectNode) root.get("model")).put("max_input_chars_per_word", 200)),
        "model.max_input_chars_per_word must be 100", "found 200");
  }

  @Test
  void idsMustBeZeroToNMinusOneWithoutGaps() {
    assertContains(refused(root -> ((ObjectNode) root.at("/model/vocab")).remove("the")),
        "model.vocab id of", "must be an integer in [0, 511)");
    assertContains(refused(root -> ((ObjectNode) root.at("/model/vocab")).put("the", 0)),
        "model.vocab gives id 0 to both");
    assertContains(refused(root -> ((ObjectNode) root.at("/model/vocab")).put("the", "7")),
        "model.vocab id of \"the\" must be an integer");
    assertContains(refused(root -> ((ObjectNode) root.get("model")).putObject("vocab")),
        "model.vocab must be a non-empty object");
  }

  @Test
  void addedTokensMustBeVocabularyEntries() {
    assertContains(refused(root -> ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens"))
        .addObject().put("id", 512).put("content", "<new>")), "added token \"<new>\" (id 512)");
  }

  @Test
  void aVocabularyWithoutBertsSpecialTokensIsRefusedAsAVocabulary() {
    assertContains(refused(root -> {
      ObjectNode vocab = ((ObjectNode) root.get("model")).putObject("vocab");
      vocab.put("a", 0);
      vocab.put("b", 1);
      root.putArray("added_tokens");
    }), "lacks the special tokens");
  }

  @Test
  void brokenJsonIsNamed() {
    InputException e = assertThrows(InputException.class,
        () -> TokenizerJson.parse("{\"model\": ".getBytes(StandardCharsets.UTF_8), "x/tokenizer.json"));
    assertTrue(e.getMessage().startsWith("x/tokenizer.json: not valid JSON"), e.getMessage());
    e = assertThrows(InputException.class, () -> TokenizerJson.parse(
        "{\"model\": {\"type\": \"WordPiece\", \"type\": \"BPE\"}}".getBytes(StandardCharsets.UTF_8), "d.json"));
    assertTrue(e.getMessage().contains("Duplicate field 'type'"), e.getMessage());
  }

  @Test
  void aVocabularyATokenizerJsonCannotHoldIsSaidSo() {
    assertEquals(Optional.empty(), TokenizerJson.cannotWrite(GOLDEN.tokens()));
    List<String> twice = new ArrayList<>(GOLDEN.tokens());
    twice.add("the");
    assertContains(TokenizerJson.cannotWrite(twice).orElseThrow(), "token \"the\" is both id");
    assertContains(TokenizerJson.cannotWrite(List.of("[PAD]", "[UNK]")).orElseThrow(),
        "lacks [CLS], [SEP], [MASK]");
  }

  private static Path fixture(String name) {
    return new Path(TokenizerJsonTest.class.getResource(FIXTURES + name).getPath());
  }

  private static byte[] bytes(String resource) {
    try (var in = TokenizerJsonTest.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
