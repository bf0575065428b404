package org.tinybert.corpus;

import org.tinybert.io.InputException;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.core.BertBatch;
import scala.Tuple2;

/**
 * Writes one epoch of minibatches for training, under {@code <instance dir>/epoch-E/}.
 *
 * <p>The epoch's order is a total order by (xxhash64 of seed, epoch and instance id; id; input ids), so it is the
 * same on every run and every cluster, and different in every epoch. Consecutive runs of {@code batchSize} instances
 * in that order are the minibatches, the last one holding what is left, so an epoch trains every instance. Each
 * minibatch is one file, {@code batch-000000123.mds}, holding an ND4J {@link MultiDataSet} saved with
 * {@code MultiDataSet.save}: features {@link BatchEncoding#features} [B, 3L] (ids, segment ids 0, mask; padded with
 * 0 to {@code max_seq_length}), labels [B, 1] of zeros. A {@code _DONE} marker holding the batch count and the
 * settings is written last, atomically: an export with a matching marker is reused, any other is written again.
 */
public final class MinibatchExporter {
  private MinibatchExporter() {}

  private static final Logger LOG = LoggerFactory.getLogger(MinibatchExporter.class);

  static final String DONE = "_DONE";
  public static final String EPOCH_PREFIX = "epoch-";
  /** 2: the last, partial minibatch is written (version 1 dropped it). */
  static final int FORMAT_VERSION = 2;

  /** The content of {@code _DONE}. */
  record Marker(
      @JsonProperty("format_version") int formatVersion,
      @JsonProperty("epoch") int epoch,
      @JsonProperty("batch_size") int batchSize,
      @JsonProperty("max_seq_length") int maxSeqLength,
      @JsonProperty("seed") long seed,
      @JsonProperty("instances_fingerprint_sha256") String instancesFingerprint,
      @JsonProperty("instances") long instances,
      @JsonProperty("batches") long batches,
      @JsonProperty("last_batch_size") int lastBatchSize) {}

  /** {@link #export(SparkSession, Instances, int, int, long)} with the instances' own seed. */
  public static MinibatchExport export(SparkSession spark, Instances instances, int epoch, int batchSize) {
    return export(spark, instances, epoch, batchSize, instances.seed());
  }

  /**
   * The minibatches of {@code epoch}: reused when complete, written otherwise.
   *
   * @throws InputException when there is no instance
   */
  public static MinibatchExport export(SparkSession spark, Instances instances, int epoch, int batchSize,
      long seed) {
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, found " + epoch);
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, found " + batchSize);
    long n = instances.counts().instances();
    long batches = (n + batchSize - 1) / batchSize;
    if (batches == 0) throw new InputException("there are no instances at " + instances.dir());
    if (batches > 999_999_999L) {
      throw new InputException(batches + " minibatches exceed the 9-digit file names; raise the batch size");
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path dir = new Path(instances.dir(), EPOCH_PREFIX + epoch);
    Marker expected = new Marker(FORMAT_VERSION, epoch, batchSize, instances.maxSeqLength(), seed,
        fingerprintSha256(instances), n, batches, (int) (n - (batches - 1) * batchSize));
    boolean reused = complete(dir, expected, conf);
    if (!reused) write(spark, instances, dir, expected, conf);
    MinibatchExport export = new MinibatchExport(dir, epoch, batchSize, instances.maxSeqLength(), seed, batches, n,
        expected.lastBatchSize(), reused, batchPaths(dir, batches, expected.lastBatchSize(), batchSize, seed, epoch));
    LOG.info("{}", export.summary());
    return export;
  }

  /** The minibatch file of index {@code i} (its place in the epoch's shuffled order). */
  public static Path batchPath(Path epochDir, long i) {
    return new Path(epochDir, String.format("batch-%09d.mds", i));
  }

  private static String fingerprintSha256(Instances instances) {
    try {
      return StableHash.sha256Hex(InstanceStore.JSON.writeValueAsBytes(instances.fingerprint()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean complete(Path dir, Marker expected, Configuration conf) {
    Path done = new Path(dir, DONE);
    try {
      FileSystem fs = HadoopIO.fs(dir, conf);
      if (!fs.exists(done)) {
        if (fs.exists(dir)) LOG.warn("{} has no {}: an incomplete export, exporting again", dir, DONE);
        return false;
      }
      Marker found;
      try {
        found = InstanceStore.JSON.readValue(HadoopIO.readAll(done, conf), Marker.class);
      } catch (IOException e) {
        LOG.warn("cannot read {} ({}), exporting again", done, e.getMessage());
        return false;
      }
      if (!expected.equals(found)) {
        LOG.warn("{} was exported with other settings ({}; now {}), exporting again", dir, found, expected);
        return false;
      }
      long files = 0;
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.getPath().getName().startsWith("batch-")) files++;
      }
      if (files != expected.batches()) {
        LOG.warn("{} holds {} minibatch files, its {} says {}: exporting again", dir, files, DONE, expected.batches());
        return false;
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inspect " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void write(SparkSession spark, Instances instances, Path dir, Marker m, Configuration conf) {
    FileSystem fs = HadoopIO.fs(dir, conf);
    try {
      if (fs.exists(dir) && !fs.delete(dir, true)) throw new IOException("cannot delete " + dir);
      fs.mkdirs(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    int b = m.batchSize();
    int l = m.maxSeqLength();
    long lastBatch = m.batches() - 1;
    int lastSize = m.lastBatchSize();
    // input_ids breaks ties between equal keys and ids, which only identical documents produce: a total order.
    Dataset<Row> ordered = instances.read(spark)
        .orderBy(xxhash64(lit(m.seed()), lit(m.epoch()), col("id")), col("id"), col("input_ids"))
        .select("input_ids");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> hadoop = jsc.broadcast(new SerializableConfiguration(conf));
    String target = dir.toString();
    int partitions = (int) Math.max(1, Math.min(m.batches(), Math.max(jsc.defaultParallelism(),
        ordered.rdd().getNumPartitions())));
    JavaPairRDD<Long, Tuple2<Long, int[]>> rows = ordered.javaRDD().zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2() / b, new Tuple2<>(t._2() % b, ids(t._1()))));
    rows.groupByKey(partitions).foreachPartition(it -> {
      Configuration c = hadoop.value().value();
      while (it.hasNext()) {
        Tuple2<Long, Iterable<Tuple2<Long, int[]>>> batch = it.next();
        Path p = batchPath(new Path(target), batch._1());
        MultiDataSet mds = minibatch(batch._2(), batch._1() == lastBatch ? lastSize : b, l, p);
        HadoopIO.writeAtomically(p, c, mds::save);
      }
    });
    hadoop.destroy();
    try {
      HadoopIO.writeAtomically(new Path(dir, DONE), conf, InstanceStore.JSON.writeValueAsBytes(m));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + new Path(dir, DONE) + ": " + e.getMessage(), e);
    }
  }

  private static int[] ids(Row r) {
    List<Integer> list = r.getList(0);
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) out[i] = list.get(i);
    return out;
  }

  /** Rows in their places, padded with 0 to {@code l}; segment ids stay 0 (one segment). */
  static MultiDataSet minibatch(Iterable<Tuple2<Long, int[]>> rows, int b, int l, Path p) {
    int[] ids = new int[b * l];
    int[] segments = new int[b * l];
    int[] mask = new int[b * l];
    boolean[] seen = new boolean[b];
    for (Tuple2<Long, int[]> r : rows) {
      int row = (int) (long) r._1();
      int[] x = r._2();
      if (x.length > l) {
        throw new IllegalStateException(p + ": an instance of " + x.length + " tokens exceeds max_seq_length " + l);
      }
      System.arraycopy(x, 0, ids, row * l, x.length);
      for (int t = 0; t < x.length; t++) mask[row * l + t] = 1;
      seen[row] = true;
    }
    for (int i = 0; i < b; i++) {
      if (!seen[i]) throw new IllegalStateException(p + ": row " + i + " of " + b + " is missing");
    }
    BertBatch batch = new BertBatch(b, l, ids, segments, mask);
    return new MultiDataSet(BatchEncoding.features(batch), Nd4j.zeros(DataType.FLOAT, b, 1));
  }

  /**
   * Every minibatch path in training order: the full minibatches in an order drawn from (seed, epoch), so that the files
   * of one round are spread out, then the partial one, if {@code lastSize < batchSize}, last (as PyTorch's
   * DataLoader gives it). The full minibatches keep the order they had when the partial one was not trained.
   */
  static List<String> batchPaths(Path dir, long batches, int lastSize, int batchSize, long seed, int epoch) {
    long full = lastSize < batchSize ? batches - 1 : batches;
    List<String> out = new ArrayList<>((int) batches);
    for (long i = 0; i < full; i++) out.add(batchPath(dir, i).toString());
    Collections.shuffle(out, new Random(StableHash.combine(seed, epoch)));
    if (full < batches) out.add(batchPath(dir, full).toString());
    return out;
  }
}
