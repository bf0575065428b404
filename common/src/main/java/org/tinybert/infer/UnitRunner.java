package org.tinybert.infer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.SerializableConfiguration;
import org.tinybert.config.InferSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputFileException;
import org.tinybert.scoring.Scorer;
import org.tinybert.scoring.ScoringModel;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;

/**
 * Scores one unit on an executor and commits its part. The model and its vocabulary come from the executor's
 * {@link ScoringModel} (loaded once per JVM). Rows are read in windows of {@value #WINDOW_BATCHES} batches; a
 * window's examples are sorted by token count and batched in that order, so a batch pads to a length close to each of
 * its examples; results are written back in input order. The part is written under a temporary name and renamed into
 * place, then its {@link PartStats} are written: a crash at any point leaves either a committed unit or one that the
 * next run scores again.
 */
final class UnitRunner implements Function<InferUnit, PartStats> {
  private static final long serialVersionUID = 1L;
  /** Batches read before sorting: enough for most lengths to have company, little memory (rows are kept as text). */
  static final int WINDOW_BATCHES = 64;
  /** Skipped rows recorded per part. */
  static final int BAD_ROWS_KEPT = 5;

  private final InferSpec spec;
  private final SerializableConfiguration conf;

  UnitRunner(InferSpec spec, SerializableConfiguration conf) {
    this.spec = spec;
    this.conf = conf;
  }

  @Override
  public PartStats call(InferUnit unit) throws IOException {
    long t0 = System.nanoTime();
    Configuration c = conf.value();
    ScoringModel m = ScoringModel.open(new Path(spec.model()), c, spec.engine(), spec.lowerCase());
    // Frozen: query, key and value stacked once into one GEMM, as tinybert bench inference runs them.
    Scorer scorer = new Scorer(m.frozen(), spec.reads(), spec.head());
    BertTokenizer tokenizer = m.tokenizer();
    Path staging = new Path(spec.staging());
    FileSystem fs = HadoopIO.fs(staging, c);
    String part = unit.partName(spec.outputFormat());
    Path tmp = new Path(new Path(staging, InferOutput.TEMPORARY), part + "." + UUID.randomUUID() + ".tmp");
    Counts counts = new Counts();
    long lines;
    try {
      try (RowSource rows = RowSource.open(unit, spec.schema().columns(), c);
          PartWriter out = PartWriter.open(spec.outputFormat(), spec.schema(), tmp, c)) {
        List<InputRow> window = new ArrayList<>();
        List<EncodedInput> encoded = new ArrayList<>();
        int windowSize = WINDOW_BATCHES * spec.batchSize();
        for (InputRow r = rows.next(); r != null; r = rows.next()) {
          counts.rows++;
          if (r.isBad()) {
            bad(unit, rows, r, counts, c);
            continue;
          }
          window.add(r);
          encoded.add(tokenizer.encode(r.text(), r.pair(), spec.maxSeqLength()));
          if (window.size() == windowSize) flush(scorer, window, encoded, out, counts);
        }
        flush(scorer, window, encoded, out, counts);
        lines = rows.lines();
      }
      Path target = new Path(staging, part);
      if (fs.exists(target) && !fs.delete(target, false)) throw new IOException("cannot replace " + target);
      if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
      PartStats stats = new PartStats(unit.index(), part, unit.file(), lines, counts.rows, counts.examples,
          counts.skipped, counts.badRows, fs.getFileStatus(target).getLen(), (System.nanoTime() - t0) / 1e9,
          spec.runId());
      InferOutput.writeStats(staging, stats, c);
      return stats;
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, false);
    }
  }

  /** A bad row: counted and kept as an example when skipping, else an error naming the file and its line or row. */
  private void bad(InferUnit unit, RowSource rows, InputRow r, Counts counts, Configuration c) throws IOException {
    if (!spec.skipBadRows()) {
      String hint = " (set " + InferSettings.BAD_ROWS.full() + " = skip to skip and count such rows)";
      long line = rows.lineInFile(r, c);
      if (line > 0) throw new InputFileException(unit.file(), line, r.reason() + hint);
      throw new InputFileException(unit.file(), "row " + r.position() + ": " + r.reason() + hint);
    }
    counts.skipped.merge(r.bad().key(), 1L, Long::sum);
    if (counts.badRows.size() < BAD_ROWS_KEPT) {
      counts.badRows.add(new PartStats.BadRowExample(r.position(), r.bad().key(), r.reason()));
    }
  }

  /** Scores the window's examples, shortest first in batches, and writes them in input order. */
  private void flush(Scorer scorer, List<InputRow> window, List<EncodedInput> encoded, PartWriter out, Counts counts)
      throws IOException {
    int n = window.size();
    if (n == 0) return;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingInt(i -> encoded.get(i).seqLength()));
    float[][] results = new float[n][];
    for (int from = 0; from < n; from += spec.batchSize()) {
      int to = Math.min(n, from + spec.batchSize());
      List<EncodedInput> batch = new ArrayList<>(to - from);
      for (int k = from; k < to; k++) batch.add(encoded.get(order[k]));
      float[][] scored = scorer.score(batch);
      for (int k = from; k < to; k++) results[order[k]] = scored[k - from];
    }
    for (int i = 0; i < n; i++) out.write(window.get(i), results[i]);
    counts.examples += n;
    window.clear();
    encoded.clear();
  }

  /** A unit's tallies. */
  private static final class Counts {
    long rows;
    long examples;
    final Map<String, Long> skipped = new TreeMap<>();
    final List<PartStats.BadRowExample> badRows = new ArrayList<>();
  }
}
