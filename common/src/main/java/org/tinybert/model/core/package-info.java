/**
 * What the model, its checkpoints and its engines share, on the floor below all of them: the Hugging Face config
 * ({@link org.tinybert.model.core.BertConfig}), one packed minibatch ({@link org.tinybert.model.core.BertBatch}),
 * dropout's probabilities and masks ({@link org.tinybert.model.core.Dropout}), the arithmetic's contract
 * ({@link org.tinybert.model.core.Engine}) and the per-thread pool its arrays come from
 * ({@link org.tinybert.model.core.ArrayPool}).
 *
 * <p>Nothing here uses {@code model}, {@code model.checkpoint} or an engine: the checkpoints read and write the config
 * and the engines implement the contract, while {@code model} above them picks an engine and names its weights.
 */
package org.tinybert.model.core;
