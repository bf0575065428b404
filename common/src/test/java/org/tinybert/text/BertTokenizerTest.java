package org.tinybert.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BertTokenizerTest {
  private static final Vocab GOLDEN = GoldenTokenizerTest.vocab("/org/tinybert/golden/vocab.txt");

  /** A vocabulary of the special tokens followed by {@code words}. */
  private static Vocab vocab(String... words) {
    List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
    Collections.addAll(tokens, words);
    return Vocab.of(tokens, "test vocab");
  }

  @Test
  void casedModeKeepsCaseAndAccents() {
    BertTokenizer cased = new BertTokenizer(GOLDEN, false);
    BertTokenizer uncased = new BertTokenizer(GOLDEN, true);
    String text = "Café NAÏVE e\u0301t\u00e9 Σίσυφος, Hello!";
    assertEquals(List.of("Café", "NAÏVE", "e\u0301t\u00e9", "Σίσυφος", ",", "Hello", "!"),
        cased.basicTokenize(text));
    assertEquals(List.of("cafe", "naive", "ete", "σισυφος", ",", "hello", "!"), uncased.basicTokenize(text));
  }

  @Test
  void casedModeLooksUpWordPiecesWithTheirCase() {
    BertTokenizer cased = new BertTokenizer(vocab("Hello", "hello", "##World", "##world", "Café"), false);
    assertEquals(List.of("Hello", "##World", "Café", "hello", "##world"),
        cased.tokenize("HelloWorld Café helloworld"));
    assertEquals(List.of(Vocab.UNK), cased.tokenize("Cafe"));
  }

  @Test
  void wordPieceIsGreedyLongestMatchFirst() {
    BertTokenizer t =
        new BertTokenizer(vocab("un", "unaff", "##aff", "##able", "##ab", "##le", "abc", "ab", "##cd"), true);
    assertEquals(List.of("unaff", "##able"), t.tokenize("unaffable"));
    assertEquals(List.of("un", "##able"), t.tokenize("unable"));
    // No backtracking: after "abc" nothing matches "d", and "ab" + "##cd" is never tried.
    assertEquals(List.of(Vocab.UNK), t.tokenize("abcd"));
  }

  @Test
  void wordWithAnUnmatchablePositionIsOneUnk() {
    BertTokenizer t = new BertTokenizer(vocab("a", "##b", "c"), true);
    assertEquals(List.of("a", "##b"), t.tokenize("ab"));
    assertEquals(List.of("a", Vocab.UNK, "c"), t.tokenize("a abx c"));
    assertEquals(List.of(Vocab.UNK), t.tokenize("ba"));
  }

  @Test
  void wordLengthLimitCountsCodePointsNotUtf16Units() {
    BertTokenizer t = new BertTokenizer(vocab("\uD83D\uDE00", "##\uD83D\uDE00"), true);
    String hundred = "\uD83D\uDE00".repeat(100);
    List<String> pieces = t.tokenize(hundred);
    assertEquals(100, pieces.size());
    assertEquals("\uD83D\uDE00", pieces.get(0));
    assertEquals("##\uD83D\uDE00", pieces.get(99));
    assertEquals(List.of(Vocab.UNK), t.tokenize(hundred + "\uD83D\uDE00"));
  }

  @Test
  void specialTokensStayWholeOnlyWhenAlone() {
    BertTokenizer t = new BertTokenizer(GOLDEN, true);
    assertEquals(List.of("[CLS]", "a", "[MASK]", "[", "sep", "]", "x", "[", "pad", "]"),
        t.basicTokenize("[CLS] a\t[MASK] [sep]x[PAD]"));
  }

  @Test
  void pairTruncationPopsFromTheLongerSideAndFromBOnTies() {
    BertTokenizer t = new BertTokenizer(vocab("a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3"), true);
    // 5 + 3 tokens into 8 - 3 = 5: a, a, then b (tie at 3 + 3).
    EncodedInput in = t.encode("a1 a2 a3 a4 a5", "b1 b2 b3", 8);
    assertEquals(List.of("[CLS]", "a1", "a2", "a3", "[SEP]", "b1", "b2", "[SEP]"), in.tokens());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, in.segmentIds());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, in.inputMask());
    assertEquals(8, in.seqLength());
    assertArrayEquals(t.toIds(in.tokens()), in.inputIds());
  }

  @Test
  void singleTextIsCutAndPaddedWithZeros() {
    Vocab v = vocab("a1", "a2", "a3", "a4", "a5");
    BertTokenizer t = new BertTokenizer(v, true);
    EncodedInput cut = t.encode("a1 a2 a3 a4 a5", null, 5);
    assertEquals(List.of("[CLS]", "a1", "a2", "a3", "[SEP]"), cut.tokens());
    EncodedInput padded = t.encode("a1", "", 6);
    assertEquals(List.of("[CLS]", "a1", "[SEP]"), padded.tokens());
    assertArrayEquals(new int[] {v.clsId(), v.idOrUnk("a1"), v.sepId(), 0, 0, 0}, padded.inputIds());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0}, padded.segmentIds());
    assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0}, padded.inputMask());
    assertEquals(3, padded.seqLength());
  }

  @Test
  void emptySecondTextKeepsThePairBudgetButAddsNoSegment() {
    BertTokenizer t = new BertTokenizer(vocab("a1", "a2", "a3"), true);
    // A b with no tokens (white space only) truncates a to max - 3, as task_distill.py does.
    EncodedInput in = t.encode("a1 a2 a3", " \t ", 5);
    assertEquals(List.of("[CLS]", "a1", "a2", "[SEP]"), in.tokens());
    assertEquals(in, t.encode(List.of("a1", "a2", "a3"), List.of(), 5));
  }

  @Test
  void encodeLeavesItsArgumentsAlone() {
    BertTokenizer t = new BertTokenizer(vocab("a", "b"), true);
    List<String> a = Collections.unmodifiableList(new ArrayList<>(List.of("a", "a", "a")));
    List<String> b = Collections.unmodifiableList(new ArrayList<>(List.of("b", "b", "b")));
    EncodedInput in = t.encode(a, b, 6);
    assertEquals(List.of("[CLS]", "a", "a", "[SEP]", "b", "[SEP]"), in.tokens());
    assertEquals(3, a.size());
    assertEquals(3, b.size());
  }

  @Test
  void tooShortMaxSeqLengthIsRejected() {
    BertTokenizer t = new BertTokenizer(GOLDEN, true);
    IllegalArgumentException pair = assertThrows(IllegalArgumentException.class, () -> t.encode("a", "b", 2));
    assertTrue(pair.getMessage().contains("max_seq_length must be >= 3"), pair.getMessage());
    assertTrue(pair.getMessage().contains("found 2"), pair.getMessage());
    IllegalArgumentException single = assertThrows(IllegalArgumentException.class, () -> t.encode("a", null, 1));
    assertTrue(single.getMessage().contains("max_seq_length must be >= 2"), single.getMessage());
    assertEquals(List.of("[CLS]", "[SEP]"), t.encode("a b c", null, 2).tokens());
  }

  @Test
  void survivesJavaSerializationAsSparkClosuresNeed() throws Exception {
    BertTokenizer t = new BertTokenizer(GOLDEN, true);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    BertTokenizer copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (BertTokenizer) in.readObject();
    }
    String text = "The bank raised prices by 3.5% this year!";
    assertEquals(t.encode(text, "Shares dropped.", 20), copy.encode(text, "Shares dropped.", 20));
  }
}
