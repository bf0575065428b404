package org.tinybert.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.BertConfig;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;

/**
 * A file of examples read as one {@link BertBatch}: what {@code tinybert forward} and {@code tinybert distill-loss}
 * take.
 *
 * <p>Two formats. {@link Format#TSV}: UTF-8 text, no header, one example per line, one text or two separated by a tab
 * (a sentence pair), tokenized and packed to {@code max_seq_length} as BERT does. {@link Format#JSON}: one object with
 * {@code input_ids}, {@code segment_ids} and {@code input_mask} as [B][L] integer arrays (other keys are ignored, so
 * the golden {@code inputs.json}'s {@code batch} object is a valid input); the ids are taken as they are. The format
 * follows the extension ({@code .json}; {@code .tsv} or {@code .txt}), else the content (a leading {@code &#123;} means
 * JSON).
 *
 * @param batch the examples
 * @param format how the file was read
 * @param source the file, for error messages
 */
public record BatchInput(BertBatch batch, Format format, Path source) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ARRAYS = {"input_ids", "segment_ids", "input_mask"};

  /** How an input file is read. */
  public enum Format {
    /** Text, one example (or tab-separated pair) per line, tokenized with the model's vocabulary. */
    TSV,
    /** A JSON object of [B][L] id arrays. */
    JSON
  }

  /**
   * Reads {@code file}.
   *
   * @param tokenizer asked for only when the file is text
   * @param maxSeqLength the packed length of text examples ([CLS] and [SEP] included); JSON keeps its own length
   * @throws IllegalArgumentException naming the file (and line or array entry) when it cannot be used
   */
  public static BatchInput read(Path file, Configuration conf, Supplier<BertTokenizer> tokenizer, int maxSeqLength) {
    byte[] bytes;
    try {
      bytes = HadoopIO.readAll(file, conf);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read the input: " + e.getMessage(), e);
    }
    Format format = detect(file, bytes);
    BertBatch batch = format == Format.JSON ? fromJson(file, bytes) : fromText(file, bytes, tokenizer.get(), maxSeqLength);
    return new BatchInput(batch, format, file);
  }

  /** The format by extension, else by the first byte that is not white space. */
  public static Format detect(Path file, byte[] bytes) {
    String name = file.getName().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) return Format.JSON;
    if (name.endsWith(".tsv") || name.endsWith(".txt")) return Format.TSV;
    for (byte b : bytes) {
      if (b == 0) {
        throw new IllegalArgumentException(file + ": neither a JSON object of input_ids, segment_ids and input_mask "
            + "nor tab-separated UTF-8 text: found binary data (a NUL byte)");
      }
    }
    for (byte b : bytes) {
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') continue;
      return b == '{' ? Format.JSON : Format.TSV;
    }
    return Format.TSV;
  }

  /** Tokenizes each line (one text, or two separated by a tab) and packs it to {@code maxSeqLength}. */
  static BertBatch fromText(Path file, byte[] bytes, BertTokenizer tokenizer, int maxSeqLength) {
    List<EncodedInput> examples = new ArrayList<>();
    try (Utf8LineReader lines = new Utf8LineReader(new ByteArrayInputStream(bytes))) {
      Utf8LineReader.Line line;
      while ((line = lines.next()) != null) {
        String where = file + ": line " + line.number() + ": ";
        if (!line.valid()) throw new IllegalArgumentException(where + line.encodingError());
        String[] texts = line.text().split("\t", -1);
        if (texts.length > 2) {
          throw new IllegalArgumentException(where + "expected one text or two separated by a tab, found "
              + texts.length + " tab-separated fields");
        }
        if (line.text().isBlank()) {
          throw new IllegalArgumentException(where + "expected one text or two separated by a tab, found an empty line");
        }
        try {
          examples.add(tokenizer.encode(texts[0], texts.length == 2 ? texts[1] : null, maxSeqLength));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    if (examples.isEmpty()) throw new IllegalArgumentException(file + ": no examples (the file is empty)");
    int b = examples.size();
    int[] ids = new int[b * maxSeqLength];
    int[] seg = new int[b * maxSeqLength];
    int[] mask = new int[b * maxSeqLength];
    for (int i = 0; i < b; i++) {
      EncodedInput e = examples.get(i);
      System.arraycopy(e.inputIds(), 0, ids, i * maxSeqLength, maxSeqLength);
      System.arraycopy(e.segmentIds(), 0, seg, i * maxSeqLength, maxSeqLength);
      System.arraycopy(e.inputMask(), 0, mask, i * maxSeqLength, maxSeqLength);
    }
    return new BertBatch(b, maxSeqLength, ids, seg, mask);
  }

  /** The three [B][L] arrays of a JSON object; every row of every array must have input_ids[0]'s length. */
  static BertBatch fromJson(Path file, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")" : ""), e);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object with " + String.join(", ", ARRAYS)
          + " as [B][L] arrays, found " + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    int[][][] arrays = new int[ARRAYS.length][][];
    for (int k = 0; k < ARRAYS.length; k++) {
      arrays[k] = ints(file, ARRAYS[k], root.get(ARRAYS[k]));
    }
    int b = arrays[0].length;
    int l = arrays[0][0].length;
    for (int k = 0; k < ARRAYS.length; k++) {
      if (arrays[k].length != b) {
        throw new IllegalArgumentException(file + ": " + ARRAYS[k] + " has " + arrays[k].length + " rows, expected "
            + b + " (the rows of input_ids)");
      }
      for (int i = 0; i < b; i++) {
        if (arrays[k][i].length != l) {
          throw new IllegalArgumentException(file + ": " + ARRAYS[k] + "[" + i + "] has " + arrays[k][i].length
              + " entries, expected " + l + " (the length of input_ids[0]); every row must have the same length");
        }
      }
    }
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < l; t++) {
        int m = arrays[2][i][t];
        if (m != 0 && m != 1) {
          throw new IllegalArgumentException(file + ": input_mask[" + i + "][" + t + "] must be 0 or 1, found " + m);
        }
      }
    }
    return BertBatch.of(arrays[0], arrays[1], arrays[2]);
  }

  private static int[][] ints(Path file, String name, JsonNode n) {
    if (n == null || n.isNull()) throw new IllegalArgumentException(file + ": no " + name + " ([B][L] integer array)");
    if (!n.isArray() || n.isEmpty()) {
      throw new IllegalArgumentException(file + ": " + name + " must be a non-empty [B][L] array of integers, found "
          + abbreviate(n));
    }
    int[][] out = new int[n.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonNode row = n.get(i);
      if (!row.isArray() || row.isEmpty()) {
        throw new IllegalArgumentException(file + ": " + name + "[" + i + "] must be a non-empty array of integers, "
            + "found " + abbreviate(row));
      }
      out[i] = new int[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        JsonNode v = row.get(j);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
          throw new IllegalArgumentException(file + ": " + name + "[" + i + "][" + j + "] must be an integer, found "
              + abbreviate(v));
        }
        out[i][j] = v.intValue();
      }
    }
    return out;
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /**
   * Checks that {@code config}'s model can take this batch: the length (text: {@code max_seq_length}) within
   * {@code max_position_embeddings}, every
   * input id inside the vocabulary and every segment id inside {@code type_vocab_size}.
   *
   * @param model names the model in the message, e.g. "teacher /models/bert-base"
   * @throws IllegalArgumentException naming this file, the first offending entry and both values
   */
  public void checkFits(BertConfig config, String model) {
    int b = batch.batchSize();
    int l = batch.seqLength();
    if (l > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(source + ": " + (format == Format.TSV ? "max_seq_length " : "sequence length ")
          + l + " exceeds max_position_embeddings " + config.maxPositionEmbeddings() + " of " + model);
    }
    for (int i = 0; i < b * l; i++) {
      int id = batch.inputIds()[i];
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException(source + ": input_ids[" + i / l + "][" + i % l + "] = " + id
            + " is outside the vocabulary of " + model + " (ids 0.." + (config.vocabSize() - 1) + ")");
      }
      int s = batch.segmentIds()[i];
      if (s < 0 || s >= config.typeVocabSize()) {
        throw new IllegalArgumentException(source + ": segment_ids[" + i / l + "][" + i % l + "] = " + s
            + " is outside 0.." + (config.typeVocabSize() - 1) + " (type_vocab_size of " + model + ")");
      }
    }
  }

  /** The [b, t] positions holding {@code tokenId}, row-major over the batch (as the masked-LM head takes them). */
  public static int[][] positionsOf(BertBatch batch, int tokenId) {
    List<int[]> out = new ArrayList<>();
    int l = batch.seqLength();
    for (int i = 0; i < batch.inputIds().length; i++) {
      if (batch.inputIds()[i] == tokenId) out.add(new int[] {i / l, i % l});
    }
    return out.toArray(new int[0][]);
  }
}
