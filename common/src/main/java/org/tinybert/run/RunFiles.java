package org.tinybert.run;

/** The names of the files and directories a training run writes, each once. */
public final class RunFiles {
  /** One JSON object per averaging round: {@link MetricsRound}. */
  public static final String METRICS = "metrics.jsonl";
  /** Settings, inputs, counts, versions and Spark application id: {@link RunManifest}. */
  public static final String MANIFEST = "manifest.json";
  /** The directory of a GLUE stage's best dev checkpoint. */
  public static final String BEST = "best";
  /** The dev metrics of the checkpoint beside it: {@link EvalRecord}. */
  public static final String EVAL = "eval.json";
  /** {@link #EVAL} of the best checkpoint, relative to the run directory. */
  public static final String BEST_EVAL = BEST + "/" + EVAL;

  private RunFiles() {}
}
