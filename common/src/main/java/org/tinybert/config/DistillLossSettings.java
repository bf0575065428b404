package org.tinybert.config;

import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert distill-loss} (section {@link #SECTION}; each key is documented in
 * {@code reference.conf}).
 *
 * @param teacher Hugging Face teacher directory (its vocab.txt tokenizes text input)
 * @param student Hugging Face student directory with fit_dense (or fit_denses)
 * @param input examples: tab-separated text, or a JSON object of id arrays (as {@code tinybert forward} takes them)
 * @param output the losses as JSON
 * @param maxSeqLength tokens per text example, [CLS] and [SEP] included (JSON input keeps its own length)
 * @param cased keep case and accents (true) or lower-case like uncased BERT (false); null: as the model's
 *     tokenizer_config.json says, else uncased
 * @param temperature the prediction loss's temperature
 * @param layerMapping uniform, top, bottom or a list of 1-based teacher layers
 * @param regressionLabels one gold number per line and example, for {@code regression_loss}; empty for none
 * @param gradients where the student's gradients go (safetensors); empty for none
 * @param engine {@code tinybert.engine}: what computes the passes, losses and gradients
 */
public record DistillLossSettings(Path teacher, Path student, Path input, Path output, int maxSeqLength,
    Boolean cased, double temperature, LayerMappingSetting layerMapping, Optional<Path> regressionLabels,
    Optional<Path> gradients, EngineChoice engine) {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("distill-loss");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static DistillLossSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path teacher = v.path("teacher");
    Path student = v.path("student");
    Path input = v.path("input");
    Path output = v.path("output");
    int maxSeqLength = v.intAtLeast("max-seq-length", 2);
    Boolean cased = v.optionalBool("cased");
    double temperature = v.positiveDouble("temperature");
    LayerMappingSetting layerMapping = LayerMappingSetting.read(v, "layer-mapping");
    Optional<Path> regressionLabels = v.optionalPath("regression-labels");
    Optional<Path> gradients = v.optionalPath("gradients");
    EngineChoice engine = v.engine();
    v.finish();
    return new DistillLossSettings(teacher, student, input, output, maxSeqLength, cased, temperature, layerMapping,
        regressionLabels, gradients, engine);
  }
}
