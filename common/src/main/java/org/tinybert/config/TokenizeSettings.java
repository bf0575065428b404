package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert tokenize} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param vocab WordPiece vocabulary: a vocab.txt, a tokenizer.json, or a model directory holding either
 * @param cased keep case and accents (true) or lower-case and strip accents as uncased BERT does (false); null: as
 *     the tokenizer.json or the model's tokenizer files say, else uncased
 * @param maxSeqLength pack tokens into sequences of at most this many, [CLS] and [SEP] included; 0 = no packing
 * @param input {@value #STDIN} for standard input, otherwise a Hadoop path
 */
public record TokenizeSettings(Path vocab, Boolean cased, int maxSeqLength, String input) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("tokenize");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();
  /** Quoted by the command's {@code --cased} and by the casing checks' messages. */
  public static final Key CASED = SECTION.key("cased");
  /** The {@code input} that means standard input. */
  public static final String STDIN = "-";

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static TokenizeSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path vocab = v.path("vocab");
    Boolean cased = v.optionalBool("cased");
    int maxSeqLength = v.intAtLeast("max-seq-length", 0);
    // A packed sequence needs room for [CLS], at least one token and [SEP].
    v.require(maxSeqLength == 0 || maxSeqLength >= 3, "max-seq-length", "must be 0 (no packing) or >= 3");
    String input = v.string("input");
    if (v.ok("input") && !STDIN.equals(input)) v.path("input");
    v.finish();
    return new TokenizeSettings(vocab, cased, maxSeqLength, input);
  }

  /** The input path, or empty for standard input. */
  public Optional<Path> inputPath() {
    return STDIN.equals(input) ? Optional.empty() : Optional.of(new Path(input));
  }
}
