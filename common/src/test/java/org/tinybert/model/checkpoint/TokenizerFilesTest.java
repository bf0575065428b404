package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.model.checkpoint.TestFiles.assertFails;
import static org.tinybert.model.checkpoint.TestFiles.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.io.InputException;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;

class TokenizerFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Configuration conf = new Configuration();

  @TempDir
  java.nio.file.Path tmp;

  /** The golden student saved as {@code name}, cased or not. */
  private java.nio.file.Path saved(String name, boolean lowerCase) {
    HfCheckpoint student = HfCheckpoint.load(resource("/org/tinybert/golden/student"), conf);
    java.nio.file.Path dir = tmp.resolve(name);
    HfCheckpoint.save(TestFiles.path(dir), student.config(), student.weights(),
        resource("/org/tinybert/golden/student/vocab.txt"), lowerCase, conf);
    return dir;
  }

  private java.nio.file.Path withConfig(String name, String json) throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve(TokenizerFiles.CONFIG_FILE), json, StandardCharsets.UTF_8);
    return dir;
  }

  /** Replaces a file the local Hadoop file system wrote, with its checksum file, which would no longer match. */
  private static void overwrite(java.nio.file.Path file, byte[] bytes) throws Exception {
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    Files.write(file, bytes);
  }

  private Optional<Boolean> read(java.nio.file.Path dir) {
    return TokenizerFiles.lowerCase(TestFiles.path(dir), conf);
  }

  @Test
  void aSavedModelCarriesTheTokenizerFilesTransformersReads() throws Exception {
    for (boolean lowerCase : new boolean[] {true, false}) {
      java.nio.file.Path dir = saved("model-" + lowerCase, lowerCase);
      JsonNode config = JSON.readTree(dir.resolve(TokenizerFiles.CONFIG_FILE).toFile());
      assertEquals("BertTokenizer", config.get("tokenizer_class").asText());
      assertEquals(lowerCase, config.get("do_lower_case").booleanValue());
      assertTrue(config.get("strip_accents").isNull(), "strip_accents follows do_lower_case in BertTokenizer");
      int maxPositions = HfCheckpoint.load(TestFiles.path(dir), conf).config().maxPositionEmbeddings();
      assertEquals(maxPositions, config.get("model_max_length").intValue());
      JsonNode special = JSON.readTree(dir.resolve(TokenizerFiles.SPECIAL_TOKENS_FILE).toFile());
      assertEquals("[CLS]", special.get("cls_token").asText());
      assertEquals("[SEP]", special.get("sep_token").asText());
      assertEquals("[MASK]", special.get("mask_token").asText());
      assertEquals("[PAD]", special.get("pad_token").asText());
      assertEquals("[UNK]", special.get("unk_token").asText());
      assertEquals(Optional.of(lowerCase), read(dir), "read back");
    }
  }

  @Test
  void aSavedModelsTokenizerJsonGivesBackItsVocabularyAndCasing() throws Exception {
    Vocab golden = Vocab.load(resource("/org/tinybert/golden/student/vocab.txt"), conf);
    for (boolean lowerCase : new boolean[] {true, false}) {
      java.nio.file.Path dir = saved("json-" + lowerCase, lowerCase);
      TokenizerJson json = TokenizerJson.read(TestFiles.path(dir.resolve(TokenizerJson.FILE)), conf);
      assertEquals(golden.tokens(), json.vocab().tokens());
      assertEquals(lowerCase, json.lowerCase());
      // Without vocab.txt and tokenizer_config.json, as transformers 5 would have saved it.
      Files.delete(dir.resolve(Vocab.FILE));
      Files.delete(dir.resolve(TokenizerFiles.CONFIG_FILE));
      int vocabSize = HfCheckpoint.load(TestFiles.path(dir), conf).config().vocabSize();
      assertEquals(golden.tokens(), Vocab.ofModel(TestFiles.path(dir), vocabSize, conf).tokens());
      assertEquals(Optional.of(lowerCase), read(dir));
    }
  }

  @Test
  void aModelSavedFromTheVocabularyListGetsTheSameTokenizerJson() throws Exception {
    HfCheckpoint student = HfCheckpoint.load(resource("/org/tinybert/golden/student"), conf);
    Vocab golden = Vocab.load(resource("/org/tinybert/golden/student/vocab.txt"), conf);
    java.nio.file.Path dir = tmp.resolve("from-list");
    HfCheckpoint.save(TestFiles.path(dir), student.config(), student.weights(), golden.tokens(), false, conf);
    assertArrayEquals(Files.readAllBytes(saved("from-file", false).resolve(TokenizerJson.FILE)),
        Files.readAllBytes(dir.resolve(TokenizerJson.FILE)));
  }

  @Test
  void aVocabularyNoFastTokenizerCouldLoadGetsNoTokenizerJson() throws Exception {
    HfCheckpoint student = HfCheckpoint.load(resource("/org/tinybert/golden/student"), conf);
    java.nio.file.Path dir = tmp.resolve("two-tokens");
    HfCheckpoint.save(TestFiles.path(dir), student.config(), student.weights(), List.of("[PAD]", "[UNK]"), true, conf);
    assertFalse(Files.exists(dir.resolve(TokenizerJson.FILE)));
    assertTrue(Files.exists(dir.resolve(TokenizerFiles.CONFIG_FILE)));
  }

  @Test
  void tokenizerJsonAloneDecidesTheCasing() throws Exception {
    java.nio.file.Path dir = saved("json-only", false);
    Files.delete(dir.resolve(TokenizerFiles.CONFIG_FILE));
    assertEquals(Optional.of(false), read(dir));
    InputException e = assertThrows(InputException.class,
        () -> TokenizerFiles.lowerCaseForCased(false, "tinybert.infer.cased", TestFiles.path(dir), conf));
    assertTrue(e.getMessage().contains(dir.resolve(TokenizerJson.FILE) + ", whose normalizer says lowercase false"),
        e.getMessage());
  }

  @Test
  void tokenizerJsonAndTokenizerConfigThatContradictEachOtherAreRefusedWithBothNamed() throws Exception {
    java.nio.file.Path dir = saved("contradiction", false);
    Vocab golden = Vocab.load(resource("/org/tinybert/golden/student/vocab.txt"), conf);
    overwrite(dir.resolve(TokenizerJson.FILE), TokenizerJson.write(golden.tokens(), true));
    String msg = assertFails(() -> read(dir), dir.resolve(TokenizerFiles.CONFIG_FILE) + " says do_lower_case false",
        dir.resolve(TokenizerJson.FILE) + " says normalizer lowercase true", "must agree");
    assertFalse(msg.contains("\n"), msg);
    assertThrows(InputException.class,
        () -> TokenizerFiles.lowerCaseForCased(null, "tinybert.infer.cased", TestFiles.path(dir), conf));

    // A tokenizer_config.json without do_lower_case means true, which transformers applies over tokenizer.json.
    java.nio.file.Path silent = saved("silent", false);
    overwrite(silent.resolve(TokenizerFiles.CONFIG_FILE),
        "{\"tokenizer_class\": \"BertTokenizer\"}".getBytes(StandardCharsets.UTF_8));
    assertFails(() -> read(silent), "says do_lower_case true", "says normalizer lowercase false");
  }

  @Test
  void aTokenizerJsonThatIsNotWordPieceIsRefusedWhenTheCasingIsRead() throws Exception {
    java.nio.file.Path dir = saved("bpe", true);
    overwrite(dir.resolve(TokenizerJson.FILE),
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}".getBytes(StandardCharsets.UTF_8));
    InputException e = assertThrows(InputException.class, () -> read(dir));
    assertTrue(e.getMessage().contains(dir.resolve(TokenizerJson.FILE) + ": model.type is BPE"), e.getMessage());
  }

  @Test
  void aDirectoryWithoutTheFileSaysNothingAndAMissingKeyMeansUncased() throws Exception {
    assertEquals(Optional.empty(), read(Files.createDirectories(tmp.resolve("bare"))));
    assertEquals(Optional.of(true), read(withConfig("no-key", "{\"model_max_length\": 512}")));
    assertEquals(Optional.of(false), read(withConfig("cased", "{\"do_lower_case\": false}")));
  }

  @Test
  void aBrokenFileIsNamedWithWhatIsWrong() throws Exception {
    java.nio.file.Path notJson = withConfig("not-json", "{do_lower_case: ");
    assertFails(() -> read(notJson), notJson.resolve(TokenizerFiles.CONFIG_FILE).toString(), "not valid JSON");
    java.nio.file.Path array = withConfig("array", "[true]");
    assertFails(() -> read(array), "expected a JSON object");
    java.nio.file.Path text = withConfig("text", "{\"do_lower_case\": \"yes\"}");
    assertFails(() -> read(text), "do_lower_case must be true or false", "\"yes\"");
  }

  @Test
  void settingsTheTokenizerHereCannotFollowAreRefused() throws Exception {
    java.nio.file.Path keep = withConfig("keep-accents", "{\"do_lower_case\": true, \"strip_accents\": false}");
    assertFails(() -> read(keep), keep.resolve(TokenizerFiles.CONFIG_FILE).toString(),
        "strip_accents is false with do_lower_case true");
    java.nio.file.Path cjk = withConfig("cjk", "{\"do_lower_case\": false, \"tokenize_chinese_chars\": false}");
    assertFails(() -> read(cjk), "tokenize_chinese_chars must be true");
    assertEquals(Optional.of(false), read(withConfig("explicit", "{\"do_lower_case\": false, \"strip_accents\": false,"
        + " \"tokenize_chinese_chars\": true}")));
    assertEquals(Optional.of(true), read(withConfig("stripping", "{\"strip_accents\": true}")));
  }

  @Test
  void anUnsetSettingFollowsTheModelAndAContradictingOneIsRefused() {
    Path cased = TestFiles.path(saved("cased", false));
    Path uncased = TestFiles.path(saved("uncased", true));
    assertFalse(TokenizerFiles.lowerCaseForCased(null, "tinybert.infer.cased", cased, conf));
    assertTrue(TokenizerFiles.lowerCaseForCased(null, "tinybert.infer.cased", uncased, conf));
    assertFalse(TokenizerFiles.lowerCaseForCased(true, "tinybert.infer.cased", cased, conf), "agreeing");
    assertTrue(TokenizerFiles.lowerCaseForCased(false, "tinybert.infer.cased", uncased, conf), "agreeing");

    InputException e = assertThrows(InputException.class,
        () -> TokenizerFiles.lowerCaseForCased(false, "tinybert.infer.cased", cased, conf));
    assertTrue(e.getMessage().contains("tinybert.infer.cased = false"), e.getMessage());
    assertTrue(e.getMessage().contains(new Path(cased, TokenizerFiles.CONFIG_FILE).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("trained cased"), e.getMessage());
  }

  @Test
  void aModelWithoutTokenizerFilesIsUncasedUnlessASettingSaysOtherwise() throws Exception {
    Path bare = TestFiles.path(Files.createDirectories(tmp.resolve("bare")));
    assertTrue(TokenizerFiles.lowerCaseForCased(null, "k", bare, conf), "BERT's default");
    assertFalse(TokenizerFiles.lowerCaseForCased(true, "k", bare, conf), "the setting decides");
  }
}
