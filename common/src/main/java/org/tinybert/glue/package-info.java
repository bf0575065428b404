/**
 * Tasks and their data: what a task is ({@link org.tinybert.glue.TaskDefinition}: the nine GLUE presets of
 * {@link org.tinybert.glue.GlueTask}, or a team's own {@link org.tinybert.glue.TaskFile} loaded from HOCON), reading
 * a split ({@link org.tinybert.glue.TaskData}: GLUE's TSV files exactly as distributed through {@link
 * org.tinybert.glue.GlueReader} and {@link org.tinybert.glue.GlueRowParser}, a task file's CSV, TSV, JSON-lines or
 * Parquet tables through {@link org.tinybert.glue.TaskTableReader}) into {@link org.tinybert.glue.GlueExample}s (or
 * whole, to be written back with new texts by {@link org.tinybert.glue.TaskTableWriter}),
 * label orders of checkpoints ({@link org.tinybert.glue.GlueLabels}), examples to model input ({@link
 * org.tinybert.glue.GlueFeatures}), and writing test predictions ({@link org.tinybert.glue.GluePredictionWriter}).
 * The metrics themselves live in {@code org.tinybert.metrics}; running and scoring a classifier, on one machine or over
 * Spark partitions, in {@code org.tinybert.scoring}.
 */
package org.tinybert.glue;
