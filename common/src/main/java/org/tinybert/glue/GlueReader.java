package org.tinybert.glue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.Utf8LineReader;

/**
 * Reads a GLUE file exactly as distributed: UTF-8, tab-separated, no quote processing, the task's column layout for
 * the split (see {@link GlueTask#layout(Split)}), a header skipped where the published file has one.
 *
 * <p>A row that does not fit (too few columns, a label the task does not have, an STS-B score that is not a number,
 * bytes that are not UTF-8) stops the read with a {@link GlueFormatException} naming file, line and what was expected;
 * or, where the task's published files are known to hold such rows (QQP) or when asked, is skipped and counted.
 */
public final class GlueReader {
  private GlueReader() {}

  /**
   * @param skipMalformed skip and count malformed rows instead of failing; null means the task's default
   *     ({@link GlueTask#skipsMalformedByDefault()})
   * @param reasonsKept how many reasons for skipped rows to keep in the result
   */
  public record Options(Boolean skipMalformed, int reasonsKept) {
    public Options {
      if (reasonsKept < 0) throw new IllegalArgumentException("reasonsKept must be >= 0, found " + reasonsKept);
    }

    public static Options defaults() {
      return new Options(null, 5);
    }

    public Options withSkipMalformed(boolean skip) {
      return new Options(skip, reasonsKept);
    }

    boolean skips(TaskDefinition task) {
      return skipMalformed == null ? task.skipsMalformedByDefault() : skipMalformed;
    }
  }

  public static GlueExamples read(GlueTask task, Split split, Path file, Configuration conf) throws IOException {
    return read(task, split, file, conf, Options.defaults());
  }

  /** Reads {@code split} of {@code task} from its published file name in {@code taskDir}. */
  public static GlueExamples readSplit(GlueTask task, Split split, Path taskDir, Configuration conf, Options options)
      throws IOException {
    return read(task, split, task.locate(taskDir, split, conf), conf, options);
  }

  public static GlueExamples read(GlueTask task, Split split, Path file, Configuration conf, Options options)
      throws IOException {
    List<GlueExample> examples = new ArrayList<>();
    Summary s = forEach(task, split, file, conf, options, examples::add);
    return new GlueExamples(task, split, file, examples, s.skipped(), s.skippedReasons());
  }

  /**
   * What {@link #forEach} saw.
   *
   * @param examples rows handed to the consumer
   * @param skipped malformed rows skipped
   * @param skippedReasons {@code line N: reason} for the first few skipped rows
   */
  public record Summary(long examples, long skipped, List<String> skippedReasons) {}

  /**
   * Streams the examples of a file to {@code sink} in file order without holding them (for files too large to keep,
   * such as an augmented MNLI training set); same rules as {@link #read}.
   */
  public static Summary forEach(GlueTask task, Split split, Path file, Configuration conf, Options options,
      Consumer<GlueExample> sink) throws IOException {
    GlueRowParser parser = new GlueRowParser(task, split);
    boolean skip = options.skips(task);
    String name = file.toString();
    List<String> reasons = new ArrayList<>();
    long count = 0;
    long skipped = 0;
    long ordinal = 0;
    try (Utf8LineReader lines = new Utf8LineReader(HadoopIO.open(file, conf))) {
      for (Utf8LineReader.Line l = lines.next(); l != null; l = lines.next()) {
        boolean header = parser.hasHeader() && l.number() == 1;
        GlueExample example = null;
        try {
          if (!l.valid()) throw new GlueRowParser.MalformedRowException(l.encodingError());
          if (header) {
            parser.checkHeader(l.text());
          } else {
            example = parser.parse(l.text(), l.number(), ordinal);
          }
        } catch (GlueRowParser.MalformedRowException e) {
          // A bad header means a wrong file, not a bad row: never skipped.
          if (!skip || header) {
            throw new GlueFormatException(name, l.number(), e.getMessage() + " (" + parser.describeLayout() + ")");
          }
          skipped++;
          if (reasons.size() < options.reasonsKept()) reasons.add("line " + l.number() + ": " + e.getMessage());
        }
        if (example != null) {
          sink.accept(example);
          count++;
        }
        if (!header) ordinal++;
      }
    }
    return new Summary(count, skipped, List.copyOf(reasons));
  }
}
