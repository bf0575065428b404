/**
 * TinyBERT's data augmentation (Jiao et al. 2019, section 3.1; TinyBERT's {@code data_augmentation.py}): words of a
 * GLUE training text are replaced by candidates from a BERT masked LM (words that are one WordPiece) or from their
 * GloVe neighbours (words of several pieces), giving N variants per text.
 *
 * <p>{@link org.tinybert.augment.StopWords} and {@link org.tinybert.augment.SentencePlan} pick the candidate words;
 * {@link org.tinybert.augment.MaskedLmCandidates} batches masked-LM inputs across words and sentences;
 * {@link org.tinybert.augment.GloveVectors} and {@link org.tinybert.augment.GloveNeighbours} find neighbours by
 * matrix products over batches of query words; {@link org.tinybert.augment.Replacer} draws the variants;
 * {@link org.tinybert.augment.RowAugmenter} does whole rows; {@link org.tinybert.augment.AugmentPipeline} runs it
 * all as a Spark job over TSV lines ({@code TableAugment} over a task file's CSV, JSON-lines or Parquet table), and
 * {@link org.tinybert.augment.AugmentRun} adds the manifest that makes a rerun of a finished output do nothing.
 */
package org.tinybert.augment;
