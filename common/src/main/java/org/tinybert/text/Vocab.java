package org.tinybert.text;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;

/**
 * A BERT WordPiece vocabulary ({@code vocab.txt}): one token per line, the token's id is its line number (0-based).
 *
 * <p>Read as BERT reads it: lines end at {@code \n}, {@code \r} or {@code \r\n}; white space around a token is
 * stripped (Python's notion of white space, which includes U+00A0 and U+0085); when a token occurs twice, looking it
 * up gives the later line. {@link #tokens()} keeps every line, so {@link #write} reproduces the ids exactly.
 * Serializable so that a tokenizer can travel inside a Spark closure.
 */
public final class Vocab implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A model directory's vocabulary file. */
  public static final String FILE = "vocab.txt";

  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final String MASK = "[MASK]";
  /** The special tokens every BERT vocabulary must have, in the order errors list them. */
  public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);

  private final String source;
  private final List<String> tokens;
  private final HashMap<String, Integer> ids;
  private final int maxTokenChars;
  private final int padId;
  private final int unkId;
  private final int clsId;
  private final int sepId;
  private final int maskId;

  private Vocab(List<String> tokens, String source) {
    this.source = source;
    this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
    this.ids = new HashMap<>(tokens.size() * 2);
    int longest = 0;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      ids.put(t, i);
      longest = Math.max(longest, t.length());
    }
    this.maxTokenChars = longest;
    List<String> missing = new ArrayList<>();
    for (String s : SPECIAL_TOKENS) {
      if (!ids.containsKey(s)) missing.add(s);
    }
    if (!missing.isEmpty()) {
      String bom = !tokens.isEmpty() && tokens.get(0).startsWith("\uFEFF")
          ? " (the file starts with a byte-order mark, which BERT keeps as part of the first token)" : "";
      throw new InputException(source + ": vocabulary lacks the special token"
          + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + "; BERT needs all of "
          + String.join(", ", SPECIAL_TOKENS) + ", found " + tokens.size() + " tokens" + bom);
    }
    this.padId = ids.get(PAD);
    this.unkId = ids.get(UNK);
    this.clsId = ids.get(CLS);
    this.sepId = ids.get(SEP);
    this.maskId = ids.get(MASK);
  }

  /** Reads {@code vocab.txt} from any Hadoop file system. */
  public static Vocab load(Path path, Configuration conf) {
    byte[] bytes;
    try {
      bytes = HadoopIO.readAll(path, conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read vocabulary " + path + ": " + e.getMessage(), e);
    }
    return parse(bytes, path.toString());
  }

  /**
   * The vocabulary of the model directory {@code modelDir}, checked against the {@code vocab_size} of its
   * config.json: text for a model is tokenized with the model's own vocabulary, and one of another size would feed it
   * ids it has no embeddings for (or leave rows it never sees). See {@link #ofModel(Path, Configuration)}.
   */
  public static Vocab ofModel(Path modelDir, int vocabSize, Configuration conf) {
    Vocab vocab = ofModel(modelDir, conf);
    if (vocab.size() != vocabSize) {
      throw new InputException("vocabulary " + vocab.source() + " has " + vocab.size() + " tokens but the model's "
          + "config.json says vocab_size " + vocabSize + ": tokenizer and model do not match");
    }
    return vocab;
  }

  /**
   * The vocabulary of the model directory {@code modelDir}: its {@code vocab.txt}, else the WordPiece vocabulary of
   * its {@code tokenizer.json} (transformers 5 saves only that one; see {@link TokenizerJson}).
   */
  public static Vocab ofModel(Path modelDir, Configuration conf) {
    Path vocabFile = new Path(modelDir, FILE);
    if (HadoopIO.exists(vocabFile, conf)) return load(vocabFile, conf);
    Path json = new Path(modelDir, TokenizerJson.FILE);
    if (HadoopIO.exists(json, conf)) return TokenizerJson.read(json, conf).vocab();
    throw new InputException("model " + modelDir + " has neither " + FILE + " nor " + TokenizerJson.FILE + ": its text "
        + "must be tokenized with its own vocabulary");
  }

  /** Whether the model directory {@code modelDir} has a vocabulary {@link #ofModel(Path, Configuration)} reads. */
  public static boolean inModel(Path modelDir, Configuration conf) {
    return HadoopIO.exists(new Path(modelDir, FILE), conf)
        || HadoopIO.exists(new Path(modelDir, TokenizerJson.FILE), conf);
  }

  /** Reads a vocabulary from a stream (not closed); {@code source} names it in error messages. */
  public static Vocab read(InputStream in, String source) {
    try {
      return parse(in.readAllBytes(), source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read vocabulary " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * A vocabulary from its tokens in id order. Each token must survive a write and read unchanged: no line break
   * and no white space at either end.
   */
  public static Vocab of(List<String> tokens, String source) {
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t == null || !strip(t).equals(t) || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
        throw new InputException(source + ": token " + i + " must have no line break and no white space"
            + " at either end, found \"" + t + "\"");
      }
    }
    return new Vocab(tokens, source);
  }

  /** Parses the bytes of {@code vocab.txt}; {@code source} names the file in error messages. */
  public static Vocab parse(byte[] bytes, String source) {
    return new Vocab(lines(bytes, source), source);
  }

  /**
   * The tokens of {@code vocab.txt}'s bytes in id order, as BERT reads them, without checking that they make a BERT
   * vocabulary.
   */
  public static List<String> lines(byte[] bytes, String source) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> tokens = new ArrayList<>();
    int pos = 0;
    int n = bytes.length;
    // Split on bytes: in UTF-8, CR and LF bytes never occur inside a multi-byte character.
    while (pos < n) {
      int end = pos;
      while (end < n && bytes[end] != '\n' && bytes[end] != '\r') end++;
      tokens.add(strip(decodeLine(utf8, bytes, pos, end, source, tokens.size() + 1)));
      pos = end;
      if (pos < n) pos += bytes[pos] == '\r' && pos + 1 < n && bytes[pos + 1] == '\n' ? 2 : 1;
    }
    return tokens;
  }

  private static String decodeLine(CharsetDecoder utf8, byte[] bytes, int from, int to, String source, int line) {
    ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
    CharBuffer out = CharBuffer.allocate(to - from);
    utf8.reset();
    CoderResult r = utf8.decode(in, out, true);
    if (!r.isError()) r = utf8.flush(out);
    if (r.isError()) {
      int column = in.position() - from + 1;
      throw new InputException(String.format(
          "%s: line %d is not valid UTF-8: byte %d (0x%02X) starts a malformed sequence", source, line, column,
          bytes[in.position()] & 0xFF));
    }
    return out.flip().toString();
  }

  /** Python's {@code str.strip()}, as BERT's vocabulary loader applies it. */
  private static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && Unicode14.isPythonSpace(s.charAt(start))) start++;
    while (end > start && Unicode14.isPythonSpace(s.charAt(end - 1))) end--;
    return s.substring(start, end);
  }

  /** Writes {@code vocab.txt} (one token per line, UTF-8) atomically. */
  public void write(Path path, Configuration conf) {
    try {
      HadoopIO.writeAtomically(path, conf, out -> {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        for (String t : tokens) {
          w.write(t);
          w.write('\n');
        }
        w.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write vocabulary " + path + ": " + e.getMessage(), e);
    }
  }

  /** Number of ids (lines), which is a model's {@code vocab_size}. */
  public int size() {
    return tokens.size();
  }

  /** Every token in id order. */
  public List<String> tokens() {
    return tokens;
  }

  /** Where this vocabulary came from, for messages. */
  public String source() {
    return source;
  }

  public OptionalInt find(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  public int idOrUnk(String token) {
    Integer id = ids.get(token);
    return id == null ? unkId : id;
  }

  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IndexOutOfBoundsException("token id must be in [0, " + tokens.size() + ") for " + source
          + ", found " + id);
    }
    return tokens.get(id);
  }

  /** Length in UTF-16 units of the longest token: WordPiece need not look up longer candidates. */
  int maxTokenChars() {
    return maxTokenChars;
  }

  public int padId() {
    return padId;
  }

  public int unkId() {
    return unkId;
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  public int maskId() {
    return maskId;
  }

  @Override
  public String toString() {
    return "Vocab(" + source + ", " + tokens.size() + " tokens)";
  }
}
