package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.core.Dropout;

/** The training dropout setting: the model's own config.json probabilities by default, or one number for both. */
class TrainingDropoutTest {
  private static final BertConfig CONFIG = BertConfig.parse(("{\"vocab_size\": 10, \"hidden_size\": 4,"
      + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 8, \"hidden_act\": \"gelu\","
      + " \"max_position_embeddings\": 16, \"type_vocab_size\": 2, \"hidden_dropout_prob\": 0.2,"
      + " \"attention_probs_dropout_prob\": 0.05}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "config.json");

  private static GeneralDistillSettings load(String... sets) {
    return GeneralDistillSettings.from(SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(),
        List.of(sets)));
  }

  @Test
  void byDefaultTheModelsOwnProbabilities() {
    TrainingSettings t = load().training();
    assertEquals(new Dropout(0.2, 0.05, t.seed()), t.dropout(CONFIG));
  }

  @Test
  void aConfigWithoutThemGetsBertsDefault() {
    BertConfig bare = BertConfig.parse(("{\"vocab_size\": 10, \"hidden_size\": 4, \"num_hidden_layers\": 1,"
        + " \"num_attention_heads\": 2, \"intermediate_size\": 8, \"hidden_act\": \"gelu\","
        + " \"max_position_embeddings\": 16, \"type_vocab_size\": 2}").getBytes(
        java.nio.charset.StandardCharsets.UTF_8), "config.json");
    Dropout d = load().training().dropout(bare);
    assertEquals(0.1, d.hidden());
    assertEquals(0.1, d.attention());
  }

  @Test
  void oneNumberSetsBothAndZeroSwitchesItOff() {
    assertEquals(0.3, load("tinybert.general-distill.dropout=0.3").training().dropout(CONFIG).attention());
    assertEquals(false, load("tinybert.general-distill.dropout=0").training().dropout(CONFIG).any());
  }

  @Test
  void anythingElseIsRejectedByName() {
    SettingsException e = assertThrows(SettingsException.class, () -> load("tinybert.general-distill.dropout=often"));
    String message = e.problems().get(0).message();
    assertTrue(message.startsWith("tinybert.general-distill.dropout must be config or a number in [0.0, 0.9], found"
        + " \"often\""), message);
  }
}
