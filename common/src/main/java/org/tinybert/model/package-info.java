/** BERT on ND4J: the Hugging Face config, the forward pass with every output TinyBERT distils, and its outputs. */
package org.tinybert.model;
