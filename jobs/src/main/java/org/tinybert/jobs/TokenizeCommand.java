package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;
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
        Option.setting("vocab", "FILE", "tinybert.tokenize.vocab"),
        Option.settingFlag("cased", "tinybert.tokenize.cased"),
        Option.setting("max-seq-length", "N", "tinybert.tokenize.max-seq-length"),
        Option.setting("input", "FILE", "tinybert.tokenize.input"));
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
    BertTokenizer tokenizer = new BertTokenizer(Vocab.load(settings.vocab(), conf), !settings.cased());
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
