/**
 * What a training run writes into its directory, as types: the file names ({@link org.tinybert.run.RunFiles}), one
 * {@code metrics.jsonl} line per averaging round ({@link org.tinybert.run.MetricsRound}), the best dev checkpoint's
 * {@code eval.json} ({@link org.tinybert.run.EvalRecord}) and the top level of {@code manifest.json}
 * ({@link org.tinybert.run.RunManifest}). Each record is written and read by its own class, so that the JSON and the
 * schemas under {@code docs/schema/} cannot drift apart without a test failing. Only JSON lives here: file systems are
 * the callers' ({@link org.tinybert.io}), so the package sits below every one of them.
 */
package org.tinybert.run;
