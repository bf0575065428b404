/**
 * Spark helpers of the library: what runs on the executors. {@link org.tinybert.spark.ModelCache} loads a model
 * directory once per executor JVM (weights never travel in closures); {@link org.tinybert.spark.GluePredictor} runs a
 * model over GLUE examples partition by partition and collects only the predictions, and
 * {@link org.tinybert.spark.GlueSplitRun} does so for one split of every task of a run (what evaluate and predict
 * share); {@link org.tinybert.spark.GpuPlugin} and {@link org.tinybert.spark.GpuBinding} put each task on the GPU Spark
 * assigned it.
 */
package org.tinybert.spark;
