/**
 * BERT's text side: the WordPiece {@link org.tinybert.text.Vocab vocabulary} ({@code vocab.txt}, or a
 * {@link org.tinybert.text.TokenizerJson tokenizer.json} as transformers 5 saves it), the
 * {@link org.tinybert.text.BertTokenizer tokenizer} (basic stage plus WordPiece, exactly as BERT and the project's
 * PyTorch reference do it, Unicode 14.0 character properties included) and the
 * {@link org.tinybert.text.EncodedInput encoded model input} ({@code [CLS] a [SEP] b [SEP]}, segment ids, mask,
 * padding) that GLUE features and the distillation corpus are built from.
 */
package org.tinybert.text;
