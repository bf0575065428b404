/**
 * GLUE as TinyBERT uses it: the tasks ({@link org.tinybert.glue.GlueTask}: files, column layouts, labels, output mode,
 * metric names, max sequence length), reading their TSV files exactly as distributed ({@link
 * org.tinybert.glue.GlueReader}, {@link org.tinybert.glue.GlueRowParser}) into {@link org.tinybert.glue.GlueExample}s,
 * label orders of checkpoints ({@link org.tinybert.glue.GlueLabels}), examples to model input ({@link
 * org.tinybert.glue.GlueFeatures}), running and scoring a classifier ({@link org.tinybert.glue.GlueEvaluator}), and
 * writing test predictions for the GLUE server ({@link org.tinybert.glue.GluePredictionWriter}). The metrics themselves
 * live in {@code org.tinybert.metrics}; running over Spark partitions in {@code org.tinybert.spark}.
 */
package org.tinybert.glue;
