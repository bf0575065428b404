/**
 * The CPU engine ({@link org.tinybert.model.cpu.CpuEngine}) for ND4J's native backend: OpenBLAS products
 * ({@link org.tinybert.model.cpu.Gemm}) and fused Java row kernels over the arrays' host buffers, one class per
 * subject (linear layers, LayerNorm, activations, dropout, attention, embeddings, losses, Adam, top-K), split over the
 * cores. Nothing here may run on the CUDA backend, whose host buffers are copies.
 */
package org.tinybert.model.cpu;
