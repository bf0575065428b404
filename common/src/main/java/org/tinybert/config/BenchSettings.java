package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.tinybert.model.EngineChoice;

/**
 * Settings of {@code tinybert bench} (section {@value #ROOT}; each key is documented in {@code reference.conf}).
 *
 * @param benchmark {@link #DISTILL_STEP} or {@link #INFERENCE}
 * @param batch sequences per minibatch
 * @param seqLength tokens per sequence
 * @param steps timed repetitions (the median is reported)
 * @param warmup untimed repetitions before
 * @param seed seed of the random weights and batch
 * @param engine {@code tinybert.engine}: what is timed
 */
public record BenchSettings(String benchmark, int batch, int seqLength, int steps, int warmup, long seed,
    EngineChoice engine)
    implements Serializable {
  public static final String ROOT = "tinybert.bench";
  public static final String DISTILL_STEP = "distill-step";
  public static final String INFERENCE = "inference";

  /** Reads and validates {@value #ROOT}; throws one {@link SettingsException} listing every problem. */
  public static BenchSettings from(Config config) {
    Validator v = new Validator(config, ROOT);
    BenchSettings s = new BenchSettings(v.oneOf("benchmark", DISTILL_STEP, INFERENCE), v.positiveInt("batch"),
        v.intIn("seq-length", 2, 512), v.positiveInt("steps"), v.intAtLeast("warmup", 0), v.intAtLeast("seed", 0),
        v.engine());
    v.finish();
    return s;
  }
}
