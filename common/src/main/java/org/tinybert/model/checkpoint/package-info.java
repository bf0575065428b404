/**
 * Hugging Face BERT checkpoints in and out: {@link org.tinybert.model.checkpoint.HfCheckpoint} loads and saves a
 * model directory (config.json, vocab.txt, weights), {@link org.tinybert.model.checkpoint.TokenizerFiles} writes its
 * tokenizer files (tokenizer.json among them) and reads its casing, {@link org.tinybert.model.checkpoint.HfNames}
 * spells every state-dict name and shape, {@link org.tinybert.model.checkpoint.SafeTensors} reads and writes
 * safetensors (single and sharded), and {@link org.tinybert.model.checkpoint.TorchCheckpoint} reads
 * {@code pytorch_model.bin} in torch's zip and legacy formats through a restricted unpickler that never runs code
 * from the file.
 *
 * <p>Tensors are ND4J float32 'c'-order arrays; files are Hadoop paths, so local, hdfs:// and s3a:// all work. A
 * damaged or mismatched file fails with a {@link org.tinybert.model.checkpoint.CheckpointException} naming the file
 * and the problem, checked before memory is allocated for it.
 */
package org.tinybert.model.checkpoint;
