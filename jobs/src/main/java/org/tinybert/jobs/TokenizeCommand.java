package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TokenizeSettings;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/** {@code tinybert tokenize}: BERT WordPiece tokenization of text. */
public final class TokenizeCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(TokenizeCommand.class);

  @Override
  public String name() {
    return "tokenize";
  }

  @Override
  public String summary() {
    return "Splits text into BERT WordPiece tokens, one line of tokens per input line or packed sequence.";
  }

  @Override
  public String settingsRoot() {
    return TokenizeSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("vocab", "PATH", TokenizeSettings.SECTION.key("vocab")),
        Option.settingFlag("cased", TokenizeSettings.CASED),
        Option.setting("max-seq-length", "N", TokenizeSettings.SECTION.key("max-seq-length")),
        Option.setting("input", "FILE", TokenizeSettings.SECTION.key("input")));
  }

  /** The validated settings of this command line. */
  public TokenizeSettings settings(ParsedArgs args) {
    return TokenizeSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    TokenizeSettings settings = settings(args);
    LOG.info("tokenize: {}", settings);
    return execute(settings, args);
  }

  /** The tokenization itself. */
  int execute(TokenizeSettings settings, ParsedArgs args) throws Exception {
    Configuration conf = HadoopIO.defaultConf();
    BertTokenizer tokenizer = tokenizer(settings.vocab(), settings.cased(), conf);
    String source = settings.inputPath().map(Path::toString).orElse("standard input");
    ObjectMapper json = new ObjectMapper();
    PrintStream out = args.io().out();
    try (InputStream in = settings.inputPath().isPresent() ? HadoopIO.open(settings.inputPath().get(), conf)
        : args.io().in(); Utf8LineReader lines = new Utf8LineReader(in)) {
      Utf8LineReader.Line line;
      while ((line = lines.next()) != null) {
        if (!line.valid()) {
          throw new InputException(source + ": line " + line.number() + ": " + line.encodingError());
        }
        String[] texts = line.text().split("\t", -1);
        if (texts.length > 2) {
          throw new InputException(source + ": line " + line.number() + ": expected one text or two "
              + "separated by a tab, found " + texts.length + " tab-separated fields");
        }
        out.println(json.writeValueAsString(encode(tokenizer, texts, settings.maxSeqLength())));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * The tokenizer {@code vocab} gives, with the casing rules of a model's own text: a model directory is read as the
   * model paths read it ({@link Vocab#ofModel(Path, Configuration)}, casing from its tokenizer files); a
   * {@code tokenizer.json} brings its vocabulary and its normaliser's casing; a {@code vocab.txt} has no casing of
   * its own, so it is uncased unless {@code cased} says otherwise. A {@code cased} that contradicts the files is
   * refused.
   */
  static BertTokenizer tokenizer(Path vocab, Boolean cased, Configuration conf) throws IOException {
    FileSystem fs = HadoopIO.fs(vocab, conf);
    if (fs.exists(vocab) && fs.getFileStatus(vocab).isDirectory()) {
      return new BertTokenizer(Vocab.ofModel(vocab, conf), TokenizerFiles.lowerCaseForCased(cased, TokenizeSettings.CASED.full(), vocab, conf));
    }
    byte[] bytes = HadoopIO.readAll(vocab, conf);
    if (looksLikeJson(bytes)) {
      TokenizerJson json = TokenizerJson.parse(bytes, vocab.toString());
      return new BertTokenizer(json.vocab(), TokenizerFiles.lowerCaseForCased(cased, TokenizeSettings.CASED.full(), json, vocab));
    }
    Vocab v;
    try {
      v = Vocab.parse(bytes, vocab.toString());
    } catch (InputException e) {
      throw new InputException(vocab + " is neither a vocab.txt nor a tokenizer.json (read as a vocab.txt: "
          + e.getMessage() + ")", e);
    }
    return new BertTokenizer(v, cased == null || !cased);
  }

  /**
   * Whether the first character after white space (and a byte-order mark) is '{': a tokenizer.json is a JSON object,
   * while BERT vocabularies start with a special token such as [PAD].
   */
  private static boolean looksLikeJson(byte[] bytes) {
    int i = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF
        ? 3 : 0;
    while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) i++;
    return i < bytes.length && bytes[i] == '{';
  }

  /** One line's JSON object: the WordPieces and ids, or the packed sequence when {@code maxSeqLength > 0}. */
  static Map<String, Object> encode(BertTokenizer tokenizer, String[] texts, int maxSeqLength) {
    Map<String, Object> o = new LinkedHashMap<>();
    String b = texts.length == 2 ? texts[1] : null;
    if (maxSeqLength > 0) {
      EncodedInput e = tokenizer.encode(texts[0], b, maxSeqLength);
      o.put("tokens", e.tokens());
      o.put("input_ids", e.inputIds());
      o.put("segment_ids", e.segmentIds());
      o.put("input_mask", e.inputMask());
      return o;
    }
    List<String> a = tokenizer.tokenize(texts[0]);
    o.put("tokens", a);
    o.put("input_ids", tokenizer.toIds(a));
    if (b != null) {
      List<String> tb = tokenizer.tokenize(b);
      o.put("tokens_b", tb);
      o.put("input_ids_b", tokenizer.toIds(tb));
    }
    return o;
  }

}
