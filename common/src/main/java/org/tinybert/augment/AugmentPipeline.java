package org.tinybert.augment;

import java.io.BufferedWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.AugmentSettings;
import org.tinybert.glue.ColumnLayout;
import org.tinybert.glue.GlueFormatException;
import org.tinybert.glue.GlueRowParser;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.TableFormat;
import org.tinybert.glue.Split;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.OutputHold;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.model.core.Engine;
import org.tinybert.runtime.ExecutorRuntime;
import scala.Tuple2;

/**
 * The augmentation as a Spark job: a GLUE train.tsv (or a task file's TSV table) in, train_aug.tsv (and optionally the
 * side file) out. A task file's table in another format goes through {@link TableAugment} instead.
 *
 * <ol>
 *   <li>The driver loads GloVe once and broadcasts it (words and the unit-vector matrix); it also loads the masked LM
 *       once, so a bad model directory fails before any task runs.
 *   <li>Spark splits the input by bytes ({@code TextInputFormat}: LF, CRLF and CR line ends, a UTF-8 byte-order mark
 *       dropped). A first pass counts and checks the rows of every split, so each row gets its line number in the
 *       file and a bad row is reported by file and line (or skipped and counted) before the expensive pass starts.
 *   <li>The second pass augments each split in chunks of rows: the masked LM (loaded once per executor JVM,
 *       {@link MaskedLm#cached}) sees the chunk's masked words in batches; GloVe neighbours come from matrix products
 *       over the chunk's multi-piece words, cached per executor.
 *   <li>Spark writes the splits' rows to a temporary directory beside the output; the driver then concatenates its
 *       part files in split order (= file order) into the output under a temporary name and renames it into place.
 * </ol>
 *
 * <p>The output depends on the seed, the input and the models only, not on the number of partitions: each text's
 * draws are seeded by its line ({@link RowAugmenter#random}), and proposals are returned as sets.
 */
public final class AugmentPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(AugmentPipeline.class);
  /** How many reasons for skipped rows (and GloVe lines) a summary keeps. */
  static final int REASONS_KEPT = 5;
  /** Rows augmented together, per masked input of a batch: enough words to fill many full batches. */
  static final int ROWS_PER_BATCH_SLOT = 4;
  // Tags of the temporary part files' lines: a row of the output, or its side-file record.
  private static final char ROW = 'R';
  private static final char SIDE = 'S';

  private AugmentPipeline() {}

  /** One bad row found by the first pass: its index among its split's lines and what is wrong. */
  record BadRow(long index, String reason, boolean header) implements Serializable {}

  /** What the first pass saw in one split. */
  record SplitScan(int split, long lines, long bad, List<BadRow> firstBad) implements Serializable {}

  /** Runs the job; see the class comment. */
  public static AugmentSummary run(SparkSession spark, AugmentSettings given) throws IOException {
    return run(spark, given, null);
  }

  /** As {@link #run(SparkSession, AugmentSettings)}; checks {@code hold} (null: none) before the output is written. */
  public static AugmentSummary run(SparkSession spark, AugmentSettings given, OutputHold hold) throws IOException {
    long t0 = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    AugmentSettings s = given.withLowerCase(TokenizerFiles.lowerCase(given.lowerCase(),
        AugmentSettings.SECTION.key("lower-case").full() + " = " + given.lowerCase(), given.mlm(), conf));
    String input = s.input().toString();
    if (!HadoopIO.exists(s.input(), conf)) throw new FileNotFoundException(input + ": no such file");
    if (s.task() instanceof TaskFile f) {
      TableFormat format = TableAugment.format(f, s.input(), s.output(), conf);
      // TSV goes through the line pipeline below, split by bytes; the other formats through the task reader.
      if (format != TableFormat.TSV) return TableAugment.run(spark, s, hold, t0);
    }
    // A task file's TSV table goes through the same line reader as GLUE's files, its columns found by its header:
    // the text columns are augmented, every other column is written as it was.
    GlueRowParser parser = s.task() instanceof GlueTask g ? new GlueRowParser(g, Split.TRAIN)
        : new GlueRowParser(s.task(), Split.TRAIN, TaskData.tsvLayout((TaskFile) s.task(), s.input(), conf));
    int variants = s.effectiveVariants();
    LOG.info("augment {}: {} -> {} (N={}, K={}, p_t={}, seed={})", s.task(), input, s.output(), variants, s.topK(),
        s.replaceProbability(), s.seed());

    GloveVectors glove = loadModels(s, conf);
    Broadcast<GloveVectors> gloveBroadcast = jsc.broadcast(glove);

    int minPartitions = s.partitions() > 0 ? s.partitions() : jsc.defaultParallelism();
    JavaPairRDD<LongWritable, Text> lines =
        jsc.hadoopFile(input, TextInputFormat.class, LongWritable.class, Text.class, minPartitions);
    int partitions = lines.getNumPartitions();

    // Pass 1: line numbers and bad rows.
    List<SplitScan> scans = new ArrayList<>(lines.mapPartitionsWithIndex(
        (split, it) -> List.of(scan(split, it, parser)).iterator(), true).collect());
    scans.sort(Comparator.comparingInt(SplitScan::split));
    long[] firstLine = new long[partitions];
    long total = 0;
    long bad = 0;
    List<String> reasons = new ArrayList<>();
    boolean skip = s.skipMalformedRows();
    for (SplitScan scan : scans) {
      firstLine[scan.split()] = total + 1;
      for (BadRow b : scan.firstBad()) {
        long line = total + 1 + b.index();
        // A bad header means a file of another layout, never a row to skip (as GlueReader has it).
        if (!skip || b.header()) {
          throw new GlueFormatException(input, line, b.reason() + " (" + parser.describeLayout() + ")");
        }
        if (reasons.size() < REASONS_KEPT) reasons.add("line " + line + ": " + b.reason());
      }
      bad += scan.bad();
      total += scan.lines();
    }
    long dataRows = total - (parser.hasHeader() && total > 0 ? 1 : 0);
    if (bad > 0) LOG.warn("{}: skipped {} malformed rows, e.g. {}", input, bad, reasons);

    // Pass 2: augmentation, then the part files merged in order.
    LongAccumulator mlmWords = jsc.sc().longAccumulator("augment.mlm-words");
    LongAccumulator gloveWords = jsc.sc().longAccumulator("augment.glove-words");
    SerializableConfiguration sconf = new SerializableConfiguration(conf);
    boolean side = s.sideOutput() != null;
    int[] textColumns = textColumns(parser.layout());
    JavaRDD<String> out = lines.mapPartitionsWithIndex((split, it) -> new PartitionAugmenter(s, variants,
        gloveBroadcast, sconf, parser, textColumns, firstLine[split], side, mlmWords, gloveWords, it), true);
    Path output = s.output();
    FileSystem fs = HadoopIO.fs(output, conf);
    Path parts = new Path(output.getParent(), "." + output.getName() + "." + UUID.randomUUID() + ".parts");
    long outputRows;
    try {
      out.saveAsTextFile(parts.toString());
      if (hold != null) hold.check();
      outputRows = merge(fs, parts, output, s.sideOutput(), conf);
    } finally {
      if (fs.exists(parts)) fs.delete(parts, true);
      gloveBroadcast.destroy();
      forget(gloveBroadcast);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    AugmentSummary summary = new AugmentSummary(s.task().taskName(), input, output.toString(),
        side ? s.sideOutput().toString() : null, dataRows, bad, reasons,
        outputRows - (parser.hasHeader() && total > 0 ? 1 : 0), variants, mlmWords.value(), gloveWords.value(),
        glove.size(), glove.skippedLines(), partitions, seconds);
    LOG.info("augment {}: {}", s.task(), summary);
    return summary;
  }

  /** Loads the masked LM (so a bad model directory fails before any task runs) and GloVe on the driver. */
  static GloveVectors loadModels(AugmentSettings s, Configuration conf) throws IOException {
    MaskedLm.cached(s.mlm(), conf, s.lowerCase());
    GloveVectors glove = GloveVectors.load(s.glove(), conf,
        new GloveVectors.Options(s.gloveVocabLimit(), s.skipMalformedGlove(), REASONS_KEPT));
    LOG.info("GloVe: {} words of dimension {} from {}, {} malformed lines skipped", glove.size(), glove.dim(),
        s.glove(), glove.skippedLines());
    return glove;
  }

  /** The augmenter of one partition: this JVM's masked LM on the executor's engine, the broadcast GloVe neighbours. */
  static Augmenter augmenter(AugmentSettings s, Broadcast<GloveVectors> glove, SerializableConfiguration conf) {
    Engine engine = ExecutorRuntime.bind(s.engine());
    MaskedLm lm = MaskedLm.cached(s.mlm(), conf.value(), s.lowerCase()).withEngine(engine);
    return new Augmenter(new MaskedLmCandidates(lm, s.topK(), s.batchSize(), s.maxSeqLength()),
        neighbours(glove, s.topK(), s.gloveBatchSize(), engine));
  }

  /** Executors in this JVM (local mode) cached neighbours of a broadcast: they go with it. */
  static void forget(Broadcast<GloveVectors> glove) {
    ExecutorRuntime.forgetShared(neighboursKey(glove));
  }

  static int[] textColumns(ColumnLayout layout) {
    return layout.textB() == ColumnLayout.NONE ? new int[] {layout.textA()}
        : new int[] {layout.textA(), layout.textB()};
  }

  private static SplitScan scan(int split, Iterator<Tuple2<LongWritable, Text>> it, GlueRowParser parser) {
    long n = 0;
    long bad = 0;
    List<BadRow> first = new ArrayList<>();
    CharsetDecoder utf8 = strictUtf8();
    while (it.hasNext()) {
      Tuple2<LongWritable, Text> rec = it.next();
      boolean header = parser.hasHeader() && rec._1().get() == 0;
      try {
        String text = decode(utf8, rec._2());
        if (header) parser.checkHeader(text);
        else parser.parse(text, 0, 0);
      } catch (GlueRowParser.MalformedRowException e) {
        bad++;
        if (first.size() < REASONS_KEPT || header) first.add(new BadRow(n, e.getMessage(), header));
      }
      n++;
    }
    return new SplitScan(split, n, bad, first);
  }

  static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** A line's text; bytes that are not UTF-8 make it a malformed row, named as {@link Utf8LineReader} names them. */
  static String decode(CharsetDecoder utf8, Text t) throws GlueRowParser.MalformedRowException {
    ByteBuffer in = ByteBuffer.wrap(t.getBytes(), 0, t.getLength());
    try {
      CharBuffer chars = utf8.reset().decode(in);
      return chars.toString();
    } catch (MalformedInputException e) {
      int at = in.position();
      StringBuilder found = new StringBuilder();
      for (int i = 0; i < e.getInputLength() && at + i < t.getLength(); i++) {
        found.append(i == 0 ? "" : " ").append(String.format("0x%02X", t.getBytes()[at + i] & 0xff));
      }
      throw new GlueRowParser.MalformedRowException("invalid UTF-8 at byte " + (at + 1) + " of the line: expected a"
          + " UTF-8 character, found " + found);
    } catch (CharacterCodingException e) {
      throw new GlueRowParser.MalformedRowException("invalid UTF-8: " + e.getMessage());
    }
  }

  /**
   * The neighbours finder of this JVM for a broadcast GloVe and K, so its cache serves every partition the executor
   * runs.
   */
  static GloveNeighbours neighbours(Broadcast<GloveVectors> glove, int k, int queryBatch, Engine engine) {
    return ExecutorRuntime.shared(neighboursKey(glove) + k + "/" + queryBatch + "/" + engine.name(),
        GloveNeighbours.class, () -> new GloveNeighbours(glove.value(), k, queryBatch, engine));
  }

  private static String neighboursKey(Broadcast<GloveVectors> glove) {
    return "glove-neighbours/" + glove.id() + "/";
  }

  /**
   * One split's output lines, made a chunk of rows at a time as Spark pulls them, so a split never has to fit in
   * memory.
   */
  private static final class PartitionAugmenter extends ChunkedAugmenter<Tuple2<LongWritable, Text>, String> {
    private final GlueRowParser parser;
    private final CharsetDecoder utf8 = strictUtf8();
    private long line;

    PartitionAugmenter(AugmentSettings s, int variants, Broadcast<GloveVectors> glove, SerializableConfiguration conf,
        GlueRowParser parser, int[] textColumns, long firstLine, boolean side, LongAccumulator mlmWords,
        LongAccumulator gloveWords, Iterator<Tuple2<LongWritable, Text>> in) {
      super(s, variants, glove, conf, textColumns, side, mlmWords, gloveWords, in);
      this.parser = parser;
      this.line = firstLine;
    }

    @Override
    protected void fill() {
      List<RowAugmenter.Row> chunk = new ArrayList<>(chunkRows);
      while (chunk.size() < chunkRows && in.hasNext()) {
        Tuple2<LongWritable, Text> rec = in.next();
        long number = line++;
        String text;
        try {
          text = decode(utf8, rec._2());
          if (parser.hasHeader() && rec._1().get() == 0) {
            ready.add(ROW + text);
            continue;
          }
          parser.parse(text, number, 0);
        } catch (GlueRowParser.MalformedRowException e) {
          continue; // counted, and allowed, by the first pass
        }
        chunk.add(new RowAugmenter.Row(number, text));
      }
      if (chunk.isEmpty()) return;
      for (RowAugmenter.OutputRow r : rows.augment(chunk, true)) {
        ready.add(ROW + r.tsv());
        if (side) ready.add(SIDE + r.sideJson());
      }
    }
  }

  /**
   * Concatenates the part files in order into {@code output} (and the side records into {@code side}, each given its
   * row's line in the output), both written under temporary names and renamed. Returns the rows written, header
   * included.
   */
  static long merge(FileSystem fs, Path parts, Path output, Path side, Configuration conf) throws IOException {
    FileStatus[] files = fs.globStatus(new Path(parts, "part-*"));
    if (files == null) throw new FileNotFoundException(parts + ": Spark wrote no part files");
    // part-00000, part-00001, ...: the number after the dash is the split.
    Arrays.sort(files, Comparator.comparingLong(f -> Long.parseLong(f.getPath().getName().replaceAll("\\D", ""))));
    long[] written = {0};
    HadoopIO.Writer rowsWriter = out -> {
      if (side == null) {
        written[0] = copy(fs, files, out, null);
      } else {
        HadoopIO.writeAtomically(side, conf, sideOut -> written[0] = copy(fs, files, out, sideOut));
      }
    };
    HadoopIO.writeAtomically(output, conf, rowsWriter);
    return written[0];
  }

  private static long copy(FileSystem fs, FileStatus[] files, OutputStream rowsOut, OutputStream sideOut)
      throws IOException {
    Writer rows = new BufferedWriter(new OutputStreamWriter(rowsOut, StandardCharsets.UTF_8), 1 << 16);
    Writer side = sideOut == null ? null : new BufferedWriter(new OutputStreamWriter(sideOut, StandardCharsets.UTF_8),
        1 << 16);
    long n = 0;
    for (FileStatus f : files) {
      try (Utf8LineReader lines = new Utf8LineReader(fs.open(f.getPath()))) {
        for (Utf8LineReader.Line l = lines.next(); l != null; l = lines.next()) {
          String t = l.text();
          if (t == null || t.isEmpty()) {
            throw new IOException(f.getPath() + ":" + l.number() + ": unreadable part line");
          }
          if (t.charAt(0) == ROW) {
            rows.write(t, 1, t.length() - 1);
            rows.write('\n');
            n++;
          } else if (side != null) {
            // {"output_line": n, ...the record}: n is the line of the row just written (the header is line 1).
            side.write("{\"output_line\":" + n + "," + t.substring(2));
            side.write('\n');
          }
        }
      }
    }
    rows.flush();
    if (side != null) side.flush();
    return n;
  }
}
