/**
 * Training runs, written once for every job that trains: {@link org.tinybert.training.TrainingRun} (plan, checkpoints
 * and resume, manifest, metrics, probe losses, the final model) and its two kinds,
 * {@link org.tinybert.training.GeneralDistillation} on a text corpus and {@link org.tinybert.training.GlueStage} on a
 * GLUE task's labelled examples (dev scoring and the best checkpoint), which {@link org.tinybert.training.FineTuning}
 * and {@link org.tinybert.training.TaskDistillation} (its two stages) build from their settings.
 */
package org.tinybert.training;
