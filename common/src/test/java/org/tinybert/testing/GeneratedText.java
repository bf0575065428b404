package org.tinybert.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tinybert.model.core.BertBatch;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;
import org.tinybert.text.Vocab;

/** Sentences made of a vocabulary's whole words, for tests that need text a tiny model can learn from. */
public final class GeneratedText {
  private GeneratedText() {}

  /** {@code count} sentences of whole words drawn from the vocabulary's first {@code lexicon} alphabetic words. */
  public static List<String> sentences(Vocab vocab, int count, int minWords, int maxWords, int lexicon, long seed) {
    List<String> words = new ArrayList<>();
    for (String t : vocab.tokens()) {
      if (t.matches("[a-z]{2,}") && words.size() < lexicon) words.add(t);
    }
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = minWords + r.nextInt(maxWords - minWords + 1);
      StringBuilder s = new StringBuilder();
      for (int w = 0; w < n; w++) {
        if (w > 0) s.append(' ');
        s.append(words.get(r.nextInt(words.size())));
      }
      out.add(s.append('.').toString());
    }
    return out;
  }

  /** Packs sentences [from, from + b) into one batch of length l. */
  public static BertBatch batch(BertTokenizer tok, List<String> sentences, int from, int b, int l) {
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      EncodedInput e = tok.encode(sentences.get((from + i) % sentences.size()), null, l);
      System.arraycopy(e.inputIds(), 0, ids, i * l, l);
      System.arraycopy(e.segmentIds(), 0, seg, i * l, l);
      System.arraycopy(e.inputMask(), 0, mask, i * l, l);
    }
    return new BertBatch(b, l, ids, seg, mask);
  }
}
