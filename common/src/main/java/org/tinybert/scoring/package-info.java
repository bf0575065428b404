/**
 * Running a classifier over GLUE examples and scoring it: {@link org.tinybert.scoring.GlueEvaluator} runs a model
 * over examples and scores the predictions ({@link org.tinybert.scoring.GlueEvaluation}); {@link
 * org.tinybert.scoring.GluePredictor} does so partition by partition and collects only the predictions, and {@link
 * org.tinybert.scoring.GlueSplitRun} does so for one split of every task of a run (what evaluate and predict share).
 */
package org.tinybert.scoring;
