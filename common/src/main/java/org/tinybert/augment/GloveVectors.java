package org.tinybert.augment;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.Utf8LineReader;

/**
 * GloVe word vectors as TinyBERT's augmentation uses them: the first {@code vocabLimit} words of the file (100,000 by
 * default, "for fast retrieval"), each vector scaled to unit length so that a dot product is a cosine.
 *
 * <p>Serializable so the driver can load it once and broadcast it: words plus one row-major float matrix. The ND4J
 * copy used for matrix products ({@link #matrix()}) is made once per JVM that receives it.
 *
 * <p>The reader is written here rather than taken from DL4J's {@code WordVectorSerializer.loadTxt}: that one reads
 * the whole file (glove.840B.300d has 2.2 million words, 2.6 GB as floats, where 100,000 are wanted), and a line of
 * the wrong dimension either fails without saying which line or becomes a vector of another length; here it is an
 * error naming file and line, or skipped and counted when asked.
 */
public final class GloveVectors implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The word whose vector the reference leaves at zero (GloVe's own unknown-word entry). */
  public static final String UNKNOWN = "<unk>";

  /**
   * How to read the file.
   *
   * @param vocabLimit read at most this many words (the first of the file, which GloVe orders by frequency)
   * @param skipMalformed skip and count lines that are not a word and a vector of the file's dimension, instead of
   *     failing
   * @param reasonsKept how many reasons for skipped lines to keep
   */
  public record Options(int vocabLimit, boolean skipMalformed, int reasonsKept) implements Serializable {
    public Options {
      if (vocabLimit < 1) throw new IllegalArgumentException("vocabLimit must be >= 1, found " + vocabLimit);
    }
  }

  private final String source;
  private final String[] words;
  private final int dim;
  private final float[] vectors; // [V, D] row-major, unit rows; all-zero rows are never a neighbour
  private final boolean[] usable;
  private final long skippedLines;
  private final List<String> skippedReasons;
  private transient volatile HashMap<String, Integer> index;
  private transient volatile INDArray matrix;

  /**
   * @param words the words, row order
   * @param vectors [words.length * dim] row-major, not yet normalised (normalised here, in place)
   */
  public GloveVectors(String source, String[] words, int dim, float[] vectors, long skippedLines,
      List<String> skippedReasons) {
    if (dim < 1 || vectors.length != (long) words.length * dim) {
      throw new InputException(source + ": expected " + words.length + " x " + dim + " vector entries, found "
          + vectors.length);
    }
    this.source = source;
    this.words = words;
    this.dim = dim;
    this.vectors = vectors;
    this.usable = new boolean[words.length];
    this.skippedLines = skippedLines;
    this.skippedReasons = List.copyOf(skippedReasons);
    HashMap<String, Integer> idx = new HashMap<>(words.length * 2);
    for (int i = 0; i < words.length; i++) {
      Integer before = idx.put(words[i], i);
      // As in the reference's dicts: a repeated word takes its later vector; the earlier row stays zero.
      if (before != null) Arrays.fill(vectors, before * dim, (before + 1) * dim, 0f);
      if (words[i].equals(UNKNOWN)) Arrays.fill(vectors, i * dim, (i + 1) * dim, 0f);
    }
    for (int i = 0; i < words.length; i++) {
      double ss = 0;
      for (int j = i * dim; j < (i + 1) * dim; j++) ss += (double) vectors[j] * vectors[j];
      // A zero row would be 0/0 in the reference, a NaN that sorts last: it is never a neighbour.
      usable[i] = ss > 0;
      if (!usable[i]) continue;
      double inv = 1.0 / Math.sqrt(ss);
      for (int j = i * dim; j < (i + 1) * dim; j++) vectors[j] = (float) (vectors[j] * inv);
    }
    this.index = idx;
  }

  /**
   * Reads GloVe's text format (a word, then its numbers, separated by white space; one word per line) from any
   * Hadoop path; compressed files ({@code .gz}, {@code .bz2}) are read through Hadoop's codecs.
   *
   * @throws GloveFormatException for a line that is not UTF-8 or not a word and a vector of the file's dimension
   *     (the dimension of its first line), unless {@code options.skipMalformed()}
   */
  public static GloveVectors load(Path file, Configuration conf, Options options) throws IOException {
    String name = file.toString();
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    List<String> words = new ArrayList<>();
    float[] vectors = new float[0];
    int dim = -1;
    long skipped = 0;
    List<String> reasons = new ArrayList<>();
    InputStream raw = HadoopIO.open(file, conf);
    try (Utf8LineReader lines = new Utf8LineReader(codec == null ? raw : codec.createInputStream(raw))) {
      for (Utf8LineReader.Line l = lines.next(); l != null && words.size() < options.vocabLimit(); l = lines.next()) {
        String problem;
        String[] items = null;
        if (!l.valid()) {
          problem = l.encodingError();
        } else {
          items = splitOnWhiteSpace(l.text());
          problem = check(items, dim, l.number());
        }
        float[] v = null;
        if (problem == null) {
          v = new float[items.length - 1];
          for (int j = 1; j < items.length && problem == null; j++) {
            try {
              v[j - 1] = Float.parseFloat(items[j]);
            } catch (NumberFormatException e) {
              problem = "expected a number in field " + (j + 1) + ", found '" + abbreviate(items[j]) + "'";
            }
          }
        }
        if (problem != null) {
          if (!options.skipMalformed()) throw new GloveFormatException(name, l.number(), problem);
          skipped++;
          if (reasons.size() < options.reasonsKept()) reasons.add("line " + l.number() + ": " + problem);
          continue;
        }
        if (dim < 0) {
          dim = v.length;
          vectors = new float[Math.min(options.vocabLimit(), 1 << 14) * dim];
        }
        int row = words.size();
        if ((long) (row + 1) * dim > vectors.length) {
          long grown = Math.min((long) options.vocabLimit() * dim,
              Math.max(2L * vectors.length, (long) (row + 1) * dim));
          if (grown > Integer.MAX_VALUE - 16) {
            throw new GloveFormatException(name, l.number(), "more vectors than one array holds: lower the vocabulary"
                + " limit (" + options.vocabLimit() + " words of " + dim + " numbers)");
          }
          vectors = Arrays.copyOf(vectors, (int) grown);
        }
        System.arraycopy(v, 0, vectors, row * dim, dim);
        words.add(items[0]);
      }
    }
    if (words.isEmpty()) {
      throw new GloveFormatException(name, 0, "no word vectors" + (skipped > 0 ? " (" + skipped + " malformed lines"
          + " skipped: " + reasons + ")" : ""));
    }
    return new GloveVectors(name, words.toArray(new String[0]), dim,
        Arrays.copyOf(vectors, words.size() * dim), skipped, reasons);
  }

  private static String check(String[] items, int dim, long line) {
    if (items.length == 0) return "expected a word and its vector, found an empty line";
    int n = items.length - 1;
    if (dim < 0) {
      if (n == 0) return "expected a word and its vector, found only '" + abbreviate(items[0]) + "'";
      if (line == 1 && n == 1 && items[0].matches("\\d+") && items[1].matches("\\d+")) {
        return "expected a word and its vector, found '" + items[0] + " " + items[1] + "', which looks like the"
            + " header of word2vec's text format; GloVe files have none";
      }
      return null;
    }
    if (n != dim) {
      return "expected " + dim + " numbers after the word (the dimension of line 1), found " + n;
    }
    return null;
  }

  /** Python's {@code str.split()}, which the reference reads lines with: runs of white space separate fields. */
  static String[] splitOnWhiteSpace(String s) {
    List<String> out = new ArrayList<>(320);
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) i++;
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) i++;
      if (i > start) out.add(s.substring(start, i));
    }
    return out.toArray(new String[0]);
  }

  /** Python's {@code str.isspace} on one UTF-16 unit (every such character is in the BMP). */
  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || c == '\u0085' || c == '\u00A0' || c == '\u2007' || c == '\u202F';
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** The file it was read from, for messages. */
  public String source() {
    return source;
  }

  /** Number of words (rows). */
  public int size() {
    return words.length;
  }

  /** The vector dimension. */
  public int dim() {
    return dim;
  }

  public String word(int row) {
    return words[row];
  }

  /** The row of {@code word} (exact match, as the reference looks words up), or -1. */
  public int indexOf(String word) {
    Integer i = index().get(word);
    return i == null ? -1 : i;
  }

  /** Whether the row has a vector (not the zero row of {@code <unk>} or of an overridden duplicate). */
  public boolean usable(int row) {
    return usable[row];
  }

  /** Unit vector of a row (a copy). */
  public float[] vector(int row) {
    return Arrays.copyOfRange(vectors, row * dim, (row + 1) * dim);
  }

  /** Lines skipped as malformed while reading. */
  public long skippedLines() {
    return skippedLines;
  }

  /** {@code line N: reason} for the first few skipped lines. */
  public List<String> skippedReasons() {
    return skippedReasons;
  }

  /** The unit vectors as one [V, D] ND4J matrix, made on first use in this JVM. */
  public INDArray matrix() {
    INDArray m = matrix;
    if (m == null) {
      synchronized (this) {
        m = matrix;
        if (m == null) {
          m = Nd4j.create(vectors, new long[] {words.length, dim}, 'c').castTo(DataType.FLOAT);
          matrix = m;
        }
      }
    }
    return m;
  }

  private HashMap<String, Integer> index() {
    HashMap<String, Integer> idx = index;
    if (idx == null) {
      synchronized (this) {
        idx = index;
        if (idx == null) {
          idx = new HashMap<>(words.length * 2);
          for (int i = 0; i < words.length; i++) idx.put(words[i], i);
          index = idx;
        }
      }
    }
    return idx;
  }

  @Override
  public String toString() {
    return "GloveVectors(" + source + ", " + words.length + " x " + dim + ")";
  }
}
