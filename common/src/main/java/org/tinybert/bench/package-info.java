/**
 * Benchmarks behind {@code tinybert bench}: a distillation step and inference with random weights
 * ({@link org.tinybert.bench.DistillBenchmark}), augmentation ({@link org.tinybert.bench.AugmentBenchmark}) and
 * {@code infer} as a Spark job ({@link org.tinybert.bench.InferBenchmark}), each at BERT-base and TinyBERT sizes.
 */
package org.tinybert.bench;
