/**
 * The data side of general distillation: reading a pre-training corpus (one sentence per line, blank lines between
 * documents) from any Hadoop file system ({@link org.tinybert.corpus.CorpusReader}), packing each document's
 * sentences into single-segment instances ({@link org.tinybert.corpus.InstancePacker}), storing them once as Parquet
 * with a fingerprint that decides reuse ({@link org.tinybert.corpus.InstanceStore}), and exporting each epoch's
 * shuffled fixed-size minibatches as files for DL4J's {@code fitPaths} ({@link org.tinybert.corpus.MinibatchExporter},
 * read back by {@link org.tinybert.corpus.MinibatchLoader}); the same minibatch files of labelled GLUE examples for
 * teacher fine-tuning and task distillation ({@link org.tinybert.corpus.GlueMinibatchExporter}).
 */
package org.tinybert.corpus;
