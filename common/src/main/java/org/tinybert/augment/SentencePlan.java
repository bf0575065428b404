package org.tinybert.augment;

import java.util.ArrayList;
import java.util.List;
import org.tinybert.text.BertTokenizer;

/**
 * One text as the augmentation sees it: its basic tokens (what variants are built from and joined with spaces), its
 * WordPieces (what the masked LM reads) and the words that may be replaced.
 *
 * <p>A word's pieces are found as the reference finds them: counting pieces that do not contain {@code ##} as word
 * starts. A candidate of one piece goes to the masked LM, one of several pieces to GloVe.
 *
 * @param tokens the basic tokens (lower-cased for uncased models)
 * @param pieces the WordPieces of the whole text
 * @param words the candidate words, in token order
 */
public record SentencePlan(List<String> tokens, List<String> pieces, List<Word> words) {

  /** Where a candidate word's replacements come from. */
  public enum Source {
    /** the masked LM, for a word that is one WordPiece */
    MLM,
    /** GloVe neighbours, for a word of several WordPieces */
    GLOVE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A word that may be replaced.
   *
   * @param token index among the basic tokens
   * @param text the token
   * @param firstPiece index of its first WordPiece in {@link #pieces}, -1 when none was found
   * @param pieceCount how many WordPieces it has
   */
  public record Word(int token, String text, int firstPiece, int pieceCount) {
    public Source source() {
      return pieceCount == 1 ? Source.MLM : Source.GLOVE;
    }
  }

  public SentencePlan {
    tokens = List.copyOf(tokens);
    pieces = List.copyOf(pieces);
    words = List.copyOf(words);
  }

  /** Tokenizes {@code text} and picks its candidate words ({@link StopWords#isCandidate}). */
  public static SentencePlan of(BertTokenizer tokenizer, String text) {
    List<String> tokens = tokenizer.basicTokenize(text);
    List<String> pieces = tokenizer.tokenize(text);
    // Word w's pieces: the w-th piece without "##" and the "##" pieces after it (data_augmentation.py's rule).
    List<int[]> spans = new ArrayList<>(tokens.size());
    for (int i = 0; i < pieces.size(); i++) {
      if (!pieces.get(i).contains("##")) {
        spans.add(new int[] {i, 1});
      } else if (!spans.isEmpty()) {
        spans.get(spans.size() - 1)[1]++;
      }
    }
    List<Word> words = new ArrayList<>();
    for (int t = 0; t < tokens.size(); t++) {
      String w = tokens.get(t);
      if (!StopWords.isCandidate(w)) continue;
      int[] span = t < spans.size() ? spans.get(t) : new int[] {-1, 0};
      words.add(new Word(t, w, span[0], span[1]));
    }
    return new SentencePlan(tokens, pieces, words);
  }
}
