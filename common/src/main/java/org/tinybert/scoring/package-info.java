/**
 * Running a model over examples and scoring it, once for every job that scores: {@link
 * org.tinybert.scoring.ScoringModel} sets a task up (the model loaded once per JVM, its tokenizer, the task's GPU and
 * engine) and {@link org.tinybert.scoring.Scorer} is the one place a batch goes through the model and its head's
 * logits (or pooled or mean hidden states) are read, for GLUE evaluation and prediction and for {@code infer}.
 * {@link org.tinybert.scoring.GlueEvaluator} runs a model over GLUE examples and scores the predictions ({@link
 * org.tinybert.scoring.GlueEvaluation}); {@link org.tinybert.scoring.GluePredictor} does so partition by partition and
 * collects only the predictions, and {@link org.tinybert.scoring.GlueSplitRun} does so for one split of every task of
 * a run (what evaluate and predict share).
 */
package org.tinybert.scoring;
