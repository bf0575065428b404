package org.tinybert.scoring;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.BertModel;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.text.BertTokenizer;

/**
 * A model directory as a scoring task on an executor sets it up, the same for {@code evaluate}, {@code predict} and
 * {@code infer}: the task bound to its GPU and its engine resolved, the model loaded once per JVM and its tokenizer
 * ({@link ExecutorRuntime}).
 */
public final class ScoringModel {
  private final ExecutorRuntime.Model loaded;
  private final Engine engine;
  private final BertTokenizer tokenizer;

  private ScoringModel(ExecutorRuntime.Model loaded, Engine engine, BertTokenizer tokenizer) {
    this.loaded = loaded;
    this.engine = engine;
    this.tokenizer = tokenizer;
  }

  /**
   * Sets up the calling task to score with the model in {@code dir}.
   *
   * @param lowerCase lower-case and strip accents before WordPiece (uncased models)
   */
  public static ScoringModel open(Path dir, Configuration conf, EngineChoice engine, boolean lowerCase) {
    Engine e = ExecutorRuntime.bind(engine);
    ExecutorRuntime.Model m = ExecutorRuntime.model(dir, conf);
    return new ScoringModel(m, e, new BertTokenizer(m.vocab(), lowerCase));
  }

  /** The qualified model directory. */
  public Path dir() {
    return loaded.dir();
  }

  /** The model as loaded, on the task's engine. */
  public BertModel model() {
    return loaded.model().withEngine(engine);
  }

  /** The model's frozen view (made once per JVM), on the task's engine. */
  public BertModel frozen() {
    return loaded.frozen().withEngine(engine);
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }
}
