/**
 * BERT on ND4J: the Hugging Face config, the forward pass with every output TinyBERT distils and its backward pass, a
 * batch read from a file of text or ids ({@link org.tinybert.model.BatchInput}), and the outputs under the golden
 * fixtures' names ({@link org.tinybert.model.ForwardOutputs}).
 */
package org.tinybert.model;
