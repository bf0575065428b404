/**
 * GLUE as TinyBERT uses it: the tasks ({@link org.tinybert.glue.GlueTask}: files, column layouts, labels, output mode,
 * metric names, max sequence length), reading their TSV files exactly as distributed ({@link
 * org.tinybert.glue.GlueReader}, {@link org.tinybert.glue.GlueRowParser}) into {@link org.tinybert.glue.GlueExample}s,
 * label orders of checkpoints ({@link org.tinybert.glue.GlueLabels}), and writing test predictions for the GLUE server
 * ({@link org.tinybert.glue.GluePredictionWriter}). Scoring lives in {@code org.tinybert.metrics}.
 */
package org.tinybert.glue;
