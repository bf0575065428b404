package org.tinybert.augment;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.AugmentSettings;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.TableFormat;
import org.tinybert.glue.TaskTableReader;
import org.tinybert.glue.TaskTableWriter;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.InputFiles;
import org.tinybert.io.OutputHold;

/**
 * The augmentation of a task file's CSV, JSON lines or Parquet training table: the rows these formats hold cannot be
 * split by bytes as TSV lines are ({@link AugmentPipeline}), so the driver reads the table with the reader every task
 * command uses ({@link TaskTableReader#readWhole}: a bad row is named by file and line, or row and row group, as
 * there), the executors augment the text cells only, and the driver writes the table back in its format
 * ({@link TaskTableWriter}): each row as it was, then its variants, every column but the texts as it was read.
 *
 * <p>Each text's draws are seeded by its row's number in the table ({@link RowAugmenter#random}), so the output does
 * not depend on the partitions. The side file's records carry {@code output_row}, the 1-based data row of the
 * output they describe (a CSV row may span lines; Parquet has none), and {@code line}, the input row's number.
 */
final class TableAugment {
  private static final Logger LOG = LoggerFactory.getLogger(TableAugment.class);

  private TableAugment() {}

  /** One output row as an executor made it: its input row's number, its texts, its side record (or null). */
  record Made(long line, String[] texts, String side) implements Serializable {}

  /**
   * The format the task's training table is read and written in: the task file's {@code format}, else the first
   * file's name's. With {@code format = auto} the output's name must name the same format, or task-distill would read
   * it as another.
   */
  static TableFormat format(TaskFile task, Path input, Path output, Configuration conf) {
    TableFormat format = task.format();
    if (format == TableFormat.AUTO) {
      List<InputFiles.Listed> files = InputFiles.list(List.of(input.toString()), "task train table of " + task,
          (m, e) -> new InputException(m, e), conf);
      String first = files.isEmpty() ? input.getName() : new Path(files.get(0).path()).getName();
      format = TableFormat.ofName(first, TaskFile.FORMATS, null);
      if (format == null) {
        throw new InputException(input + ": cannot tell its format by its name (.tsv, .csv, .jsonl, .parquet): set "
            + "format in task file " + task.source());
      }
      if (TableFormat.ofName(output.getName(), TaskFile.FORMATS, null) != format) {
        throw new InputException("augment writes the training table's format, " + format.key() + ", and task file "
            + task.source() + " has format = auto, so the output's name must say " + format.key() + " (e.g. "
            + "train_aug." + format.key() + "), found " + output);
      }
    }
    return format;
  }

  static AugmentSummary run(SparkSession spark, AugmentSettings s, OutputHold hold, long t0) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    TaskFile task = (TaskFile) s.task();
    String input = s.input().toString();
    int variants = s.effectiveVariants();
    LOG.info("augment {}: {} -> {} (N={}, K={}, p_t={}, seed={})", task, input, s.output(), variants, s.topK(),
        s.replaceProbability(), s.seed());
    TaskTableReader.WholeTable table = TaskTableReader.readWhole(task, Split.TRAIN, s.input(), conf,
        new GlueReader.Options(s.skipMalformedRows(), AugmentPipeline.REASONS_KEPT));
    if (table.skipped() > 0) {
      LOG.warn("{}: skipped {} malformed rows, e.g. {}", input, table.skipped(), table.reasons());
    }
    if (table.rows().isEmpty()) {
      throw new InputException(input + ": no rows to augment" + (table.skipped() > 0 ? " (all " + table.skipped()
          + " skipped as malformed: " + table.reasons() + ")" : ""));
    }
    int[] textColumns = task.textPair() == null ? new int[] {0} : new int[] {0, 1};
    List<RowAugmenter.CellsRow> texts = new ArrayList<>(table.rows().size());
    for (TaskTableReader.WholeRow r : table.rows()) {
      String[] t = textColumns.length == 1 ? new String[] {r.texts()[0]} : r.texts();
      texts.add(new RowAugmenter.CellsRow(r.number(), t));
    }

    GloveVectors glove = AugmentPipeline.loadModels(s, conf);
    Broadcast<GloveVectors> gloveBroadcast = jsc.broadcast(glove);
    int partitions = Math.max(1, Math.min(texts.size(), s.partitions() > 0 ? s.partitions()
        : jsc.defaultParallelism()));
    LongAccumulator mlmWords = jsc.sc().longAccumulator("augment.mlm-words");
    LongAccumulator gloveWords = jsc.sc().longAccumulator("augment.glove-words");
    SerializableConfiguration sconf = new SerializableConfiguration(conf);
    boolean side = s.sideOutput() != null;
    JavaRDD<Made> made = jsc.parallelize(texts, partitions).mapPartitions(it -> new PartitionAugmenter(s, variants,
        gloveBroadcast, sconf, textColumns, side, mlmWords, gloveWords, it), true);
    long written;
    long mlm;
    long gloveCount;
    try {
      // Computed once on every partition at a time, then handed to the driver's writer in order from the cache.
      made.persist(StorageLevel.MEMORY_AND_DISK());
      made.count();
      mlm = mlmWords.value();
      gloveCount = gloveWords.value();
      if (hold != null) hold.check();
      written = write(table, made.toLocalIterator(), s, conf, hold);
    } finally {
      made.unpersist(false);
      gloveBroadcast.destroy();
      AugmentPipeline.forget(gloveBroadcast);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    AugmentSummary summary = new AugmentSummary(task.taskName(), input, s.output().toString(),
        side ? s.sideOutput().toString() : null, table.rows().size() + table.skipped(), table.skipped(),
        table.reasons(), written, variants, mlm, gloveCount, glove.size(), glove.skippedLines(), partitions, seconds);
    LOG.info("augment {}: {}", task, summary);
    return summary;
  }

  /** Writes the output (and the side file) under temporary names, renamed when whole; returns the rows written. */
  private static long write(TaskTableReader.WholeTable table, Iterator<Made> made, AugmentSettings s,
      Configuration conf, OutputHold hold) throws IOException {
    TaskTableWriter.BeforeRename check = () -> {
      if (hold != null) hold.check();
    };
    if (s.sideOutput() == null) {
      return TaskTableWriter.write(table, outputs(table, made, null), s.output(), conf, check);
    }
    long[] n = {0};
    HadoopIO.writeAtomically(s.sideOutput(), conf, sideOut -> {
      Writer w = new BufferedWriter(new OutputStreamWriter(sideOut, StandardCharsets.UTF_8), 1 << 16);
      n[0] = TaskTableWriter.write(table, outputs(table, made, w), s.output(), conf, check);
      w.flush();
    });
    return n[0];
  }

  /** The executors' rows as rows of the table to write, each side record written to {@code side} as it passes. */
  private static Iterator<TaskTableWriter.Output> outputs(TaskTableReader.WholeTable table, Iterator<Made> made,
      Writer side) {
    List<TaskTableReader.WholeRow> rows = table.rows();
    return new Iterator<>() {
      private int at;
      private long written;

      @Override
      public boolean hasNext() {
        return made.hasNext();
      }

      @Override
      public TaskTableWriter.Output next() {
        Made m = made.next();
        while (rows.get(at).number() != m.line()) at++;
        written++;
        if (side != null) {
          try {
            side.write("{\"output_row\":" + written + "," + m.side().substring(1));
            side.write('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return new TaskTableWriter.Output(rows.get(at), m.texts());
      }
    };
  }

  /** One partition's rows, augmented a chunk at a time as Spark pulls them. */
  private static final class PartitionAugmenter extends ChunkedAugmenter<RowAugmenter.CellsRow, Made> {
    PartitionAugmenter(AugmentSettings s, int variants, Broadcast<GloveVectors> glove, SerializableConfiguration conf,
        int[] textColumns, boolean side, LongAccumulator mlmWords, LongAccumulator gloveWords,
        Iterator<RowAugmenter.CellsRow> in) {
      super(s, variants, glove, conf, textColumns, side, mlmWords, gloveWords, in);
    }

    @Override
    protected void fill() {
      List<RowAugmenter.CellsRow> chunk = new ArrayList<>(chunkRows);
      while (chunk.size() < chunkRows && in.hasNext()) chunk.add(in.next());
      for (RowAugmenter.OutputCells o : rows.augmentCells(chunk, true)) {
        ready.add(new Made(o.sourceLine(), o.cells(), side ? o.sideJson() : null));
      }
    }
  }
}
