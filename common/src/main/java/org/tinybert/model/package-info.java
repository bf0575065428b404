/**
 * BERT in fp32: the Hugging Face config, the forward pass with every output TinyBERT distils and its backward pass, a
 * batch read from a file of text or ids ({@link org.tinybert.model.BatchInput}), and the outputs under the golden
 * fixtures' names ({@link org.tinybert.model.ForwardOutputs}). The arithmetic is an {@link org.tinybert.model.Engine}'s,
 * chosen by {@link org.tinybert.model.EngineChoice} ({@code tinybert.engine}): the CPU kernels
 * ({@code org.tinybert.model.cpu}) or ND4J operations ({@code org.tinybert.model.nd4j}).
 */
package org.tinybert.model;
