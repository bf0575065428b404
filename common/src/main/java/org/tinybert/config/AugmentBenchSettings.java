package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert bench augment} (section {@link #SECTION}; each key is documented in
 * {@code reference.conf}).
 *
 * @param model {@code base} (BERT-base sizes) or {@code tiny} (a small model, for tests)
 * @param sentences sentences augmented by each method
 * @param words words per sentence
 * @param batchSize masked inputs per forward pass on the batched path
 * @param rounds times each method runs, alternating (batched, straightforward, batched, ...); times are averaged
 * @param gloveWords GloVe vocabulary size
 * @param gloveDim GloVe dimension
 * @param topK K
 * @param variants N
 * @param seed seed of the random weights, vectors and sentences
 * @param workload where to write the measured workload for bench/augment_reference.py, or null
 * @param engine {@code tinybert.engine}: what is timed
 */
public record AugmentBenchSettings(BenchModel model, int sentences, int words, int batchSize, int rounds, int gloveWords,
    int gloveDim, int topK, int variants, int seed, Path workload, EngineChoice engine) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("bench.augment");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static AugmentBenchSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    BenchModel model = v.choice("model", BenchModel.class);
    int sentences = v.positiveInt("sentences");
    int words = v.positiveInt("words");
    int batchSize = v.positiveInt("batch-size");
    int rounds = v.positiveInt("rounds");
    int gloveWords = v.positiveInt("glove-words");
    int gloveDim = v.positiveInt("glove-dim");
    int topK = v.positiveInt("top-k");
    int variants = v.positiveInt("variants");
    int seed = v.intAtLeast("seed", 0);
    String w = v.string("workload");
    Path workload = v.ok("workload") && !AugmentSettings.NONE.equals(w) ? v.path("workload") : null;
    EngineChoice engine = v.engine();
    v.finish();
    return new AugmentBenchSettings(model, sentences, words, batchSize, rounds, gloveWords, gloveDim, topK, variants, seed,
        workload, engine);
  }
}
