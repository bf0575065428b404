package org.tinybert.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The candidate replacements of every candidate word of many texts at once (the reference's {@code _word_augment},
 * batched): single-piece words of all texts go to the masked LM together, multi-piece words to GloVe together.
 */
public final class Augmenter {
  private final MaskedLmCandidates mlm;
  private final GloveNeighbours glove;
  private final LongAdder mlmWords = new LongAdder();
  private final LongAdder gloveWords = new LongAdder();

  public Augmenter(MaskedLmCandidates mlm, GloveNeighbours glove) {
    this.mlm = mlm;
    this.glove = glove;
  }

  public MaskedLmCandidates maskedLm() {
    return mlm;
  }

  public GloveNeighbours glove() {
    return glove;
  }

  /** Candidate words sent to the masked LM so far. */
  public long mlmWords() {
    return mlmWords.sum();
  }

  /** Candidate words looked up in GloVe so far. */
  public long gloveWords() {
    return gloveWords.sum();
  }

  /** Tokenizes a text with the masked LM's tokenizer and picks its candidate words. */
  public SentencePlan plan(String text) {
    return SentencePlan.of(mlm.maskedLm().tokenizer(), text);
  }

  /** The candidates of each plan's words, batched across all plans. */
  public List<List<WordCandidates>> candidates(List<SentencePlan> plans) {
    List<MaskedLmCandidates.Query> queries = new ArrayList<>();
    List<String> lookups = new ArrayList<>();
    for (SentencePlan p : plans) {
      for (SentencePlan.Word w : p.words()) {
        if (w.firstPiece() < 0) continue;
        if (w.source() == SentencePlan.Source.MLM) {
          queries.add(new MaskedLmCandidates.Query(p.pieces(), w.firstPiece()));
        } else {
          lookups.add(w.text());
        }
      }
    }
    mlmWords.add(queries.size());
    gloveWords.add(lookups.size());
    List<List<String>> proposed = mlm.candidates(queries);
    Map<String, List<String>> neighbours = glove.nearest(lookups);
    List<List<WordCandidates>> out = new ArrayList<>(plans.size());
    int q = 0;
    for (SentencePlan p : plans) {
      List<WordCandidates> words = new ArrayList<>(p.words().size());
      for (SentencePlan.Word w : p.words()) {
        List<String> r;
        if (w.firstPiece() < 0) r = List.of();
        else if (w.source() == SentencePlan.Source.MLM) r = proposed.get(q++);
        else r = neighbours.get(w.text());
        words.add(candidates(w, r));
      }
      out.add(words);
    }
    return out;
  }

  /**
   * The straightforward method: one masked-LM forward pass and one GloVe scan per word. For tests and the benchmark.
   */
  public List<List<WordCandidates>> candidatesOneAtATime(List<SentencePlan> plans) {
    List<List<WordCandidates>> out = new ArrayList<>(plans.size());
    for (SentencePlan p : plans) {
      List<WordCandidates> words = new ArrayList<>(p.words().size());
      for (SentencePlan.Word w : p.words()) {
        List<String> r;
        if (w.firstPiece() < 0) r = List.of();
        else if (w.source() == SentencePlan.Source.MLM) {
          mlmWords.increment();
          r = mlm.candidatesOneAtATime(new MaskedLmCandidates.Query(p.pieces(), w.firstPiece()));
        } else {
          gloveWords.increment();
          r = glove.nearestOne(w.text());
        }
        words.add(candidates(w, r));
      }
      out.add(words);
    }
    return out;
  }

  private static WordCandidates candidates(SentencePlan.Word w, List<String> proposed) {
    List<String> r = proposed;
    // GloVe is lower case; a title-case word (cased models) gets title-case neighbours, as in the reference.
    if (w.source() == SentencePlan.Source.GLOVE && PythonStrings.isTitle(w.text())) {
      r = r.stream().map(PythonStrings::title).toList();
    }
    if (r.isEmpty()) r = List.of(w.text());
    return new WordCandidates(w.token(), w.text(), w.source(), r);
  }
}
