package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert bench infer} (section {@link #SECTION}; each key is documented in
 * {@code reference.conf}).
 *
 * @param model {@code base} (BERT-base teacher, TinyBERT4 student) or {@code tiny} (small models, for tests)
 * @param dir where the random models, the table and the outputs go
 * @param rows rows of the table
 * @param parts files the table is split into
 * @param batch examples per forward pass
 * @param seqLength tokens per example
 * @param rounds rounds of engine, teacher and student timings
 * @param engineSteps timed forward passes per model and round of the engine's timing (after one untimed)
 * @param seed seed of the random weights and words
 * @param engine {@code tinybert.engine}: what computes, in the engine's timing and in the job
 */
public record InferBenchSettings(BenchModel model, Path dir, int rows, int parts, int batch, int seqLength, int rounds,
    int engineSteps, int seed, EngineChoice engine) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("bench.infer");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static InferBenchSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    InferBenchSettings s = new InferBenchSettings(v.choice("model", BenchModel.class), v.path("dir"),
        v.positiveInt("rows"), v.positiveInt("parts"), v.positiveInt("batch"), v.intIn("seq-length", 3, 512),
        v.positiveInt("rounds"), v.positiveInt("engine-steps"), v.intAtLeast("seed", 0), v.engine());
    v.finish();
    return s;
  }
}
