/** TinyBERT distillation: layer mapping, the attention/embedding/hidden/prediction losses, optimiser and trainer. */
package org.tinybert.distill;
