package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert bench} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param benchmark what is timed
 * @param batch sequences per minibatch
 * @param seqLength tokens per sequence
 * @param steps timed repetitions (the median is reported)
 * @param warmup untimed repetitions before
 * @param seed seed of the random weights and batch
 * @param engine {@code tinybert.engine}: what is timed
 */
public record BenchSettings(Benchmark benchmark, int batch, int seqLength, int steps, int warmup, long seed,
    EngineChoice engine)
    implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("bench");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** {@code benchmark}: what {@code tinybert bench} times. */
  public enum Benchmark implements Choice {
    /** One distillation step: teacher forward, student forward and backward, losses, update. */
    DISTILL_STEP,
    /** A forward pass of the teacher and of the student. */
    INFERENCE;
  }

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static BenchSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    BenchSettings s = new BenchSettings(v.choice("benchmark", Benchmark.class), v.positiveInt("batch"),
        v.intIn("seq-length", 2, 512), v.positiveInt("steps"), v.intAtLeast("warmup", 0), v.intAtLeast("seed", 0),
        v.engine());
    v.finish();
    return s;
  }
}
