/**
 * TinyBERT distillation: layer mapping, the attention/embedding/hidden/prediction losses, optimiser and trainer, and a
 * report of every loss and gradient on one batch ({@link org.tinybert.distill.DistillationReport}).
 */
package org.tinybert.distill;
