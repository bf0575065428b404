package org.tinybert.text;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * BERT's tokenizer: the basic stage (cleaning, white space, CJK, lower-casing and accent stripping, punctuation)
 * followed by WordPiece, and the {@code [CLS] a [SEP] b [SEP]} encoding of TinyBERT's task_distill.py.
 *
 * <p>Written here rather than taken from DL4J because DL4J's {@code BertWordPieceTokenizer} differs from BERT on
 * unknown input: it drops unknown characters, throws on words it cannot split and has no 100-character rule.
 * Characters are code points throughout (as in Python, which the reference runs on), and character properties are
 * Unicode 14.0's ({@link Unicode14}). Immutable, thread-safe and serializable.
 */
public final class BertTokenizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Longer words (in code points) become {@code [UNK]} without WordPiece, as in BERT. */
  public static final int MAX_INPUT_CHARS_PER_WORD = 100;

  /** Kept whole when they stand alone between white space, whatever the case setting. */
  private static final Set<String> NEVER_SPLIT =
      Set.of(Vocab.UNK, Vocab.SEP, Vocab.PAD, Vocab.CLS, Vocab.MASK);

  private static final byte ASCII_CONTROL = 1;
  private static final byte ASCII_WHITESPACE = 2;
  private static final byte ASCII_PUNCTUATION = 4;
  private static final byte[] ASCII = new byte[128];
  private static final String[] ASCII_STRINGS = new String[128];

  static {
    for (int c = 0; c < 128; c++) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ASCII[c] = ASCII_WHITESPACE;
      else if (c < 32 || c == 127) ASCII[c] = ASCII_CONTROL;
      else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
        ASCII[c] = ASCII_PUNCTUATION;
      }
      ASCII_STRINGS[c] = String.valueOf((char) c);
    }
  }

  private final Vocab vocab;
  private final boolean doLowerCase;

  /**
   * @param doLowerCase true for uncased models (lower-case, then strip accents); false for cased models, which
   *     keep both case and accents, as BERT does
   */
  public BertTokenizer(Vocab vocab, boolean doLowerCase) {
    this.vocab = Objects.requireNonNull(vocab, "vocab");
    this.doLowerCase = doLowerCase;
  }

  public Vocab vocab() {
    return vocab;
  }

  public boolean doLowerCase() {
    return doLowerCase;
  }

  // ---------------------------------------------------------------- basic stage

  /**
   * Drops NUL, U+FFFD and control characters, splits on white space, isolates each CJK ideograph, lower-cases and
   * strips accents (when {@link #doLowerCase}), and splits off every punctuation character.
   */
  public List<String> basicTokenize(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    int n = text.length();
    for (int i = 0; i < n; ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
      // Python's split() in the reference also breaks at U+2028/U+2029 (Zl, Zp), which BERT's whitespace test
      // leaves alone; every other character it splits on is white space or control here.
      if (isWhitespace(cp) || (cp >= 0x80 && Unicode14.isPythonSpace(cp))) {
        endWord(word, out);
      } else if (isCjk(cp)) {
        endWord(word, out);
        word.appendCodePoint(cp);
        endWord(word, out);
      } else {
        word.appendCodePoint(cp);
      }
    }
    endWord(word, out);
    return out;
  }

  private void endWord(StringBuilder word, List<String> out) {
    if (word.length() == 0) return;
    String w = word.toString();
    word.setLength(0);
    if (NEVER_SPLIT.contains(w)) {
      out.add(w);
      return;
    }
    splitPunctuation(doLowerCase ? lowerCaseAndStripAccents(w) : w, out);
  }

  /** Python's {@code lower()}, then NFD, then without combining marks (Mn). */
  static String lowerCaseAndStripAccents(String w) {
    int n = w.length();
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) ascii = w.charAt(i) < 0x80;
    if (ascii) return asciiLowerCase(w);
    StringBuilder lower = new StringBuilder(n + 4);
    for (int i = 0; i < n; ) {
      int cp = w.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (cp == 0x03A3) {
        lower.append(isFinalSigma(w, i, next) ? '\u03C2' : '\u03C3');
      } else if (cp == 0x0130) {
        // The one unconditional full lower-case mapping that is not a single code point: İ -> i + combining dot.
        lower.append('i').append('\u0307');
      } else {
        lower.appendCodePoint(Unicode14.toLowerCase(cp));
      }
      i = next;
    }
    String nfd = Normalizer.normalize(lower, Normalizer.Form.NFD);
    StringBuilder out = new StringBuilder(nfd.length());
    for (int i = 0; i < nfd.length(); ) {
      int cp = nfd.codePointAt(i);
      if (Unicode14.type(cp) != Character.NON_SPACING_MARK) out.appendCodePoint(cp);
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static String asciiLowerCase(String w) {
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = w.toCharArray();
        for (int j = i; j < chars.length; j++) {
          if (chars[j] >= 'A' && chars[j] <= 'Z') chars[j] += 'a' - 'A';
        }
        return new String(chars);
      }
    }
    return w;
  }

  /**
   * Unicode's Final_Sigma condition, which Python's {@code lower()} applies: a cased letter before (skipping
   * case-ignorable characters) and none after. Java's own rule looks at word boundaries instead and disagrees on
   * input such as "Α1Σ".
   */
  private static boolean isFinalSigma(String w, int at, int after) {
    int i = at;
    int before = -1;
    while (i > 0) {
      int cp = w.codePointBefore(i);
      if (!Unicode14.isCaseIgnorable(cp)) {
        before = cp;
        break;
      }
      i -= Character.charCount(cp);
    }
    if (before < 0 || !Unicode14.isCased(before)) return false;
    for (int j = after; j < w.length(); ) {
      int cp = w.codePointAt(j);
      if (!Unicode14.isCaseIgnorable(cp)) return !Unicode14.isCased(cp);
      j += Character.charCount(cp);
    }
    return true;
  }

  private static void splitPunctuation(String w, List<String> out) {
    int n = w.length();
    int start = 0;
    for (int i = 0; i < n; ) {
      int cp = w.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isPunctuation(cp)) {
        if (i > start) out.add(w.substring(start, i));
        out.add(cp < 0x80 ? ASCII_STRINGS[cp] : w.substring(i, next));
        start = next;
      }
      i = next;
    }
    if (start < n) out.add(start == 0 ? w : w.substring(start));
  }

  /** Category C* except tab, newline and carriage return (which count as white space). */
  static boolean isControl(int cp) {
    if (cp < 0x80) return ASCII[cp] == ASCII_CONTROL;
    switch (Unicode14.type(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
        return true;
      default:
        return false;
    }
  }

  /** Space, tab, newline, carriage return, or category Zs. */
  static boolean isWhitespace(int cp) {
    if (cp < 0x80) return ASCII[cp] == ASCII_WHITESPACE;
    return Unicode14.type(cp) == Character.SPACE_SEPARATOR;
  }

  /** All non-alphanumeric printable ASCII (so "$" and "^" count, as in BERT), or category P*. */
  static boolean isPunctuation(int cp) {
    if (cp < 0x80) return ASCII[cp] == ASCII_PUNCTUATION;
    switch (Unicode14.type(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /**
   * BERT's CJK Unified Ideographs blocks (with extensions A to E and the compatibility blocks). Hiragana, Katakana
   * and Hangul are not among them, so runs of kana or Hangul stay whole words, as in BERT.
   */
  static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  // ---------------------------------------------------------------- WordPiece

  /** The basic stage, then WordPiece on each of its tokens. */
  public List<String> tokenize(String text) {
    List<String> basic = basicTokenize(text);
    List<String> out = new ArrayList<>(basic.size() + (basic.size() >> 1));
    for (String w : basic) wordPiece(w, out);
    return out;
  }

  /**
   * Greedy longest-match-first: the longest vocabulary entry that starts the rest of the word, "##"-prefixed after
   * the first piece. A word with any position no entry matches becomes one {@code [UNK]}, as does a word longer
   * than {@link #MAX_INPUT_CHARS_PER_WORD} code points.
   */
  private void wordPiece(String word, List<String> out) {
    int n = word.length();
    if (n > MAX_INPUT_CHARS_PER_WORD && word.codePointCount(0, n) > MAX_INPUT_CHARS_PER_WORD) {
      out.add(Vocab.UNK);
      return;
    }
    int maxChars = vocab.maxTokenChars();
    int firstPiece = out.size();
    int start = 0;
    while (start < n) {
      int prefix = start > 0 ? 2 : 0;
      // Candidates longer than the longest entry cannot match: start at that length, on a code point boundary.
      int end = Math.min(n, start + maxChars - prefix);
      if (end > start && end < n && Character.isLowSurrogate(word.charAt(end))
          && Character.isHighSurrogate(word.charAt(end - 1))) {
        end--;
      }
      String found = null;
      while (end > start) {
        String piece = prefix == 0 ? word.substring(start, end) : "##" + word.substring(start, end);
        if (vocab.contains(piece)) {
          found = piece;
          break;
        }
        end = word.offsetByCodePoints(end, -1);
      }
      if (found == null) {
        out.subList(firstPiece, out.size()).clear();
        out.add(Vocab.UNK);
        return;
      }
      out.add(found);
      start = end;
    }
  }

  /** Vocabulary ids; tokens not in the vocabulary map to {@code [UNK]}. */
  public int[] toIds(List<String> tokens) {
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) ids[i] = vocab.idOrUnk(tokens.get(i));
    return ids;
  }

  // ---------------------------------------------------------------- model input

  /**
   * Tokenizes and encodes one text or a pair (see {@link #encode(List, List, int)}); a null or empty
   * {@code textB} means a single text, as in TinyBERT's task_distill.py.
   */
  public EncodedInput encode(String textA, String textB, int maxSeqLength) {
    checkMaxSeqLength(textB != null && !textB.isEmpty(), maxSeqLength);
    List<String> a = tokenize(textA);
    List<String> b = textB == null || textB.isEmpty() ? null : tokenize(textB);
    return encode(a, b, maxSeqLength);
  }

  /**
   * {@code [CLS] a [SEP]} or {@code [CLS] a [SEP] b [SEP]} with segment ids 0 then 1, padded with id 0 (BERT pads
   * with 0 whatever the vocabulary; padded positions count in TinyBERT's representation loss, so this must match).
   *
   * <p>A pair is truncated one token at a time from the longer side (from b on ties) until it fits in
   * {@code maxSeqLength - 3}; a single text is cut to {@code maxSeqLength - 2}. As in task_distill.py, a non-null
   * {@code tokensB} that is empty still gets the pair's budget but adds no second segment. The arguments are not
   * modified.
   */
  public EncodedInput encode(List<String> tokensA, List<String> tokensB, int maxSeqLength) {
    checkMaxSeqLength(tokensB != null, maxSeqLength);
    int lenA = tokensA.size();
    int lenB = tokensB == null ? 0 : tokensB.size();
    if (tokensB != null) {
      while (lenA + lenB > maxSeqLength - 3) {
        if (lenA > lenB) lenA--;
        else lenB--;
      }
    } else {
      lenA = Math.min(lenA, maxSeqLength - 2);
    }
    List<String> tokens = new ArrayList<>(lenA + lenB + 3);
    tokens.add(Vocab.CLS);
    tokens.addAll(tokensA.subList(0, lenA));
    tokens.add(Vocab.SEP);
    int segmentA = tokens.size();
    if (lenB > 0) {
      tokens.addAll(tokensB.subList(0, lenB));
      tokens.add(Vocab.SEP);
    }
    int seqLength = tokens.size();
    int[] inputIds = new int[maxSeqLength];
    int[] segmentIds = new int[maxSeqLength];
    int[] inputMask = new int[maxSeqLength];
    for (int i = 0; i < seqLength; i++) {
      inputIds[i] = vocab.idOrUnk(tokens.get(i));
      segmentIds[i] = i < segmentA ? 0 : 1;
      inputMask[i] = 1;
    }
    return new EncodedInput(tokens, inputIds, segmentIds, inputMask, seqLength);
  }

  private static void checkMaxSeqLength(boolean pair, int maxSeqLength) {
    int min = pair ? 3 : 2;
    if (maxSeqLength < min) {
      throw new IllegalArgumentException("max_seq_length must be >= " + min + " to hold "
          + (pair ? "[CLS] a [SEP] b [SEP]" : "[CLS] a [SEP]") + ", found " + maxSeqLength);
    }
  }

  @Override
  public String toString() {
    return "BertTokenizer(" + vocab + ", doLowerCase=" + doLowerCase + ")";
  }
}
