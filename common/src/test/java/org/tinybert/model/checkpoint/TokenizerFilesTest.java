package org.tinybert.model.checkpoint;

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
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.io.InputException;

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
