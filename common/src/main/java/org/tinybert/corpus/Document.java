package org.tinybert.corpus;

import java.io.Serializable;
import java.util.List;

/**
 * One document of the pre-training corpus: its sentences (lines, stripped, never blank) in order.
 *
 * @param source the corpus file it came from, for messages
 * @param offset byte offset of the text record holding it, as Hadoop's {@code TextInputFormat} reports it
 * @param sentences the stripped, non-blank lines
 */
public record Document(String source, long offset, List<String> sentences) implements Serializable {

  public Document {
    sentences = List.copyOf(sentences);
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException(source + " at byte offset " + offset + ": a document needs a sentence");
    }
  }

  /** The text the document's seed and instance ids derive from: its sentences joined by {@code \n}. */
  public String text() {
    return String.join("\n", sentences);
  }

  /** {@link StableHash#of} of {@link #text()}: the same wherever and in whatever order the document is read. */
  public long hash() {
    return StableHash.of(text());
  }
}
