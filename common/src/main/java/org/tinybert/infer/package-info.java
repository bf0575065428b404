/**
 * {@code tinybert infer}: a BERT model (a distilled student, a fine-tuned teacher, or an encoder without a
 * classifier) over every row of a table on any Hadoop file system, as a Spark job.
 *
 * <p>{@link org.tinybert.infer.InferPipeline} plans units of work over the input files (text, TSV, JSON lines or
 * Parquet; a file or a directory of parts), scores each unit in a Spark task with the executor's cached model
 * ({@code UnitRunner}, with {@link org.tinybert.scoring.Scorer}: batches of similar length) and commits one output
 * part per unit, so that a rerun after a crash scores only the units without a part and a rerun over a finished
 * output does nothing ({@code InferOutput}). The parts are Parquet, JSON lines or TSV; a manifest beside them records
 * the counts (bad rows skipped by kind) and the speed.
 */
package org.tinybert.infer;
