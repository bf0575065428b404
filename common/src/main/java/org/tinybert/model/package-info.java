/**
 * BERT in fp32: the forward pass with every output TinyBERT distils and its backward pass, a batch read from a file of
 * text or ids ({@link org.tinybert.model.BatchInput}), and the outputs under the golden fixtures' names
 * ({@link org.tinybert.model.ForwardOutputs}). The arithmetic is an {@link org.tinybert.model.core.Engine}'s, chosen
 * by {@link org.tinybert.model.EngineChoice} ({@code tinybert.engine}): the CPU kernels
 * ({@code org.tinybert.model.cpu}) or ND4J operations ({@code org.tinybert.model.nd4j}).
 *
 * <p>This is the top floor of the model's packages: it uses {@code model.core} (the config, the batch, the engine
 * contract), {@code model.checkpoint} (the Hugging Face names) and both engines, and none of them uses it.
 */
package org.tinybert.model;
