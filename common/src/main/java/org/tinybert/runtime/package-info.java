/**
 * What runs on the executors, written once for training, scoring and augmentation: {@link
 * org.tinybert.runtime.ExecutorRuntime} loads a model directory once per executor JVM (weights never travel in
 * closures), gives its frozen view and vocabulary, and sets a task up to compute (its GPU, its engine);
 * {@link org.tinybert.runtime.GpuPlugin} and {@link org.tinybert.runtime.GpuBinding} put each task on the GPU Spark
 * assigned it.
 */
package org.tinybert.runtime;
