/**
 * The portable engine ({@link org.tinybert.model.nd4j.Nd4jEngine}): the same arithmetic as the CPU engine in ND4J
 * operations only, so that ND4J's CUDA backend runs it on the GPU; its temporaries live in a per-thread workspace.
 */
package org.tinybert.model.nd4j;
