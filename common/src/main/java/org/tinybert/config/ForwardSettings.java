package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert forward} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param model Hugging Face model directory
 * @param input examples to run through the model: tab-separated text, or a JSON object of id arrays
 * @param output where the outputs are written (safetensors)
 * @param maxSeqLength tokens per text example, [CLS] and [SEP] included (JSON input keeps its own length)
 * @param cased keep case and accents (true) or lower-case like uncased BERT (false); null: as the model's
 *     tokenizer_config.json says, else uncased
 * @param engine {@code tinybert.engine}: what computes the forward pass
 */
public record ForwardSettings(Path model, Path input, Path output, int maxSeqLength, Boolean cased,
    EngineChoice engine)
    implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("forward");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static ForwardSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path model = v.path("model");
    Path input = v.path("input");
    Path output = v.path("output");
    // [CLS] and [SEP] alone take two positions; the model's max_position_embeddings is checked when it is loaded.
    int maxSeqLength = v.intAtLeast("max-seq-length", 2);
    Boolean cased = v.optionalBool("cased");
    EngineChoice engine = v.engine();
    v.finish();
    return new ForwardSettings(model, input, output, maxSeqLength, cased, engine);
  }
}
