package org.tinybert.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tinybert.corpus.CorpusReader.CorpusFile;
import org.tinybert.text.BertTokenizer;

/**
 * Everything the stored instances depend on. Equal fingerprints mean the stored instances are exactly what building
 * them again would give, so they are reused; otherwise {@link #changesFrom} says what differs.
 *
 * @param formatVersion {@link #FORMAT_VERSION} of the code that wrote them
 * @param corpus every corpus file with its size and modification time, sorted by path
 * @param vocabSha256 SHA-256 of the vocabulary as {@code vocab.txt} (one token per line, in id order)
 * @param doLowerCase the tokenizer's {@code do_lower_case}
 */
public record InstanceFingerprint(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("corpus") List<CorpusFile> corpus,
    @JsonProperty("vocab_sha256") String vocabSha256,
    @JsonProperty("do_lower_case") boolean doLowerCase,
    @JsonProperty("max_seq_length") int maxSeqLength,
    @JsonProperty("short_seq_prob") double shortSeqProb,
    @JsonProperty("seed") long seed,
    @JsonProperty("skip_invalid_utf8") boolean skipInvalidUtf8) {

  /** Bump whenever the packing or the stored layout changes, so that old instances are not reused. */
  public static final int FORMAT_VERSION = 1;

  public InstanceFingerprint {
    corpus = List.copyOf(corpus);
  }

  public static InstanceFingerprint of(List<CorpusFile> corpus, BertTokenizer tokenizer, InstanceSettings s) {
    return new InstanceFingerprint(FORMAT_VERSION, corpus, vocabSha256(tokenizer), tokenizer.doLowerCase(),
        s.maxSeqLength(), s.shortSeqProb(), s.seed(), s.skipInvalidUtf8());
  }

  static String vocabSha256(BertTokenizer tokenizer) {
    StringBuilder b = new StringBuilder();
    for (String t : tokenizer.vocab().tokens()) b.append(t).append('\n');
    return StableHash.sha256Hex(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** What differs in {@code now} from these (stored) values, one readable line each; empty when nothing does. */
  public List<String> changesFrom(InstanceFingerprint now) {
    List<String> out = new ArrayList<>();
    if (formatVersion != now.formatVersion) {
      out.add("instance format version " + formatVersion + " -> " + now.formatVersion);
    }
    Map<String, CorpusFile> before = byPath(corpus);
    Map<String, CorpusFile> after = byPath(now.corpus);
    TreeSet<String> paths = new TreeSet<>(before.keySet());
    paths.addAll(after.keySet());
    for (String p : paths) {
      CorpusFile b = before.get(p);
      CorpusFile a = after.get(p);
      if (b == null) {
        out.add("corpus file " + p + " is new (" + a.size() + " bytes)");
      } else if (a == null) {
        out.add("corpus file " + p + " is gone");
      } else if (b.size() != a.size()) {
        out.add("corpus file " + p + " changed size " + b.size() + " -> " + a.size());
      } else if (b.modificationTime() != a.modificationTime()) {
        out.add("corpus file " + p + " changed modification time " + Instant.ofEpochMilli(b.modificationTime())
            + " -> " + Instant.ofEpochMilli(a.modificationTime()));
      }
    }
    if (!Objects.equals(vocabSha256, now.vocabSha256)) {
      out.add("vocabulary changed (SHA-256 " + vocabSha256 + " -> " + now.vocabSha256 + ")");
    }
    if (doLowerCase != now.doLowerCase) out.add("do_lower_case " + doLowerCase + " -> " + now.doLowerCase);
    if (maxSeqLength != now.maxSeqLength) out.add("max_seq_length " + maxSeqLength + " -> " + now.maxSeqLength);
    if (Double.compare(shortSeqProb, now.shortSeqProb) != 0) {
      out.add("short_seq_prob " + shortSeqProb + " -> " + now.shortSeqProb);
    }
    if (seed != now.seed) out.add("seed " + seed + " -> " + now.seed);
    if (skipInvalidUtf8 != now.skipInvalidUtf8) {
      out.add("skip_invalid_utf8 " + skipInvalidUtf8 + " -> " + now.skipInvalidUtf8);
    }
    return out;
  }

  private static Map<String, CorpusFile> byPath(List<CorpusFile> files) {
    Map<String, CorpusFile> m = new TreeMap<>();
    for (CorpusFile f : files) m.put(f.path(), f);
    return m;
  }
}
