/**
 * Evaluation metrics with scikit-learn's and SciPy's semantics ({@link org.tinybert.metrics.Metrics}: accuracy, F1,
 * Matthews correlation, Pearson, Spearman), TinyBERT's per-task {@code compute_metrics} ({@link
 * org.tinybert.metrics.GlueMetrics}), and scoring a predictions file against a labelled GLUE file ({@link
 * org.tinybert.metrics.GlueScorer}).
 */
package org.tinybert.metrics;
