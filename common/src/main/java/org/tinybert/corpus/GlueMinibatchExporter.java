package org.tinybert.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;

/**
 * Writes one epoch of labelled GLUE minibatches for DL4J's {@code fitPaths} (teacher fine-tuning, task distillation),
 * in the files {@link MinibatchExporter} writes and {@link MinibatchLoader} reads: {@code <dir>/epoch-E/batch-N.mds},
 * features {@link BatchEncoding#features} [B, 3L] and labels [B, 1] holding the gold label (the class id in the
 * model's label order, or the regression score), then a {@code _DONE} marker; a complete export with the same
 * settings and features is reused (a resumed run does not write its epochs again).
 *
 * <p>The epoch's order is a shuffle of the features seeded by (seed, epoch); the last minibatch holds what is left,
 * so an epoch trains every example.
 * GLUE training sets fit in the driver's memory as features, so the files are written from the driver.
 */
public final class GlueMinibatchExporter {
  private static final Logger LOG = LoggerFactory.getLogger(GlueMinibatchExporter.class);
  /** 2: the last, partial minibatch is written (version 1 dropped it). */
  static final int FORMAT_VERSION = 2;

  private GlueMinibatchExporter() {}

  /** The content of {@code _DONE}. */
  record Marker(
      @JsonProperty("format_version") int formatVersion,
      @JsonProperty("epoch") int epoch,
      @JsonProperty("batch_size") int batchSize,
      @JsonProperty("max_seq_length") int maxSeqLength,
      @JsonProperty("seed") long seed,
      @JsonProperty("features_sha256") String featuresSha256,
      @JsonProperty("examples") long examples,
      @JsonProperty("batches") long batches) {}

  /**
   * The minibatches of {@code epoch} under {@code dir/epoch-E}: reused when complete, written otherwise.
   *
   * @param features labelled features of one padded length
   * @param regression labels are scores ({@link GlueFeature#regressionLabel}), not class ids
   * @throws IllegalArgumentException when a feature has no gold label
   * @throws InputException when there is no feature
   */
  public static MinibatchExport export(List<GlueFeature> features, boolean regression, Path dir, int epoch,
      int batchSize, long seed, Configuration conf) {
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, found " + epoch);
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, found " + batchSize);
    long batches = (features.size() + batchSize - 1) / batchSize;
    if (batches == 0) throw new InputException("there are no training examples");
    int l = features.get(0).maxSeqLength();
    Path epochDir = new Path(dir, MinibatchExporter.EPOCH_PREFIX + epoch);
    Marker expected = new Marker(FORMAT_VERSION, epoch, batchSize, l, seed, fingerprint(features, regression),
        features.size(), batches);
    boolean reused = complete(epochDir, expected, conf);
    if (!reused) write(features, regression, epochDir, expected, conf);
    int lastSize = (int) (features.size() - (batches - 1) * batchSize);
    MinibatchExport export = new MinibatchExport(epochDir, epoch, batchSize, l, seed, batches, features.size(),
        lastSize, reused, MinibatchExporter.batchPaths(epochDir, batches, lastSize, batchSize, seed, epoch));
    LOG.info("{}", export.summary());
    return export;
  }

  /** The gold label a minibatch carries for {@code f}. */
  static float label(GlueFeature f, boolean regression) {
    if (!f.labelled()) throw new InputException(f.guid() + " has no gold label: cannot train on it");
    return regression ? f.regressionLabel() : f.labelId();
  }

  private static String fingerprint(List<GlueFeature> features, boolean regression) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(4 * (3 * features.get(0).maxSeqLength() + 2));
      for (GlueFeature f : features) {
        buf.clear();
        if (f.maxSeqLength() * 3 * 4 + 8 != buf.capacity()) {
          throw new IllegalArgumentException(f.guid() + " has max_seq_length " + f.maxSeqLength() + ", the first "
              + "feature " + features.get(0).maxSeqLength() + ": a minibatch needs one padded length");
        }
        for (int x : f.inputIds()) buf.putInt(x);
        for (int x : f.segmentIds()) buf.putInt(x);
        for (int x : f.inputMask()) buf.putInt(x);
        buf.putInt(f.seqLength());
        buf.putFloat(label(f, regression));
        md.update(buf.array());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean complete(Path dir, Marker expected, Configuration conf) {
    Path done = new Path(dir, MinibatchExporter.DONE);
    if (!HadoopIO.exists(done, conf)) return false;
    try {
      Marker found = InstanceStore.JSON.readValue(HadoopIO.readAll(done, conf), Marker.class);
      if (expected.equals(found)) return true;
      LOG.warn("{} was exported with other settings or data ({}; now {}), exporting again", dir, found, expected);
    } catch (IOException e) {
      LOG.warn("cannot read {} ({}), exporting again", done, e.getMessage());
    }
    return false;
  }

  private static void write(List<GlueFeature> features, boolean regression, Path dir, Marker m, Configuration conf) {
    FileSystem fs = HadoopIO.fs(dir, conf);
    try {
      if (fs.exists(dir) && !fs.delete(dir, true)) throw new IOException("cannot delete " + dir);
      fs.mkdirs(dir);
      List<GlueFeature> order = new ArrayList<>(features);
      Collections.shuffle(order, new Random(StableHash.combine(m.seed(), m.epoch())));
      int b = m.batchSize();
      for (int i = 0; i < m.batches(); i++) {
        List<GlueFeature> rows = order.subList(i * b, Math.min((i + 1) * b, order.size()));
        float[] labels = new float[rows.size()];
        for (int r = 0; r < rows.size(); r++) labels[r] = label(rows.get(r), regression);
        MultiDataSet mds = new MultiDataSet(BatchEncoding.features(GlueFeatures.batch(rows)),
            BatchEncoding.labels(labels));
        HadoopIO.writeAtomically(MinibatchExporter.batchPath(dir, i), conf, mds::save);
      }
      HadoopIO.writeAtomically(new Path(dir, MinibatchExporter.DONE), conf, InstanceStore.JSON.writeValueAsBytes(m));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the minibatches of " + dir + ": " + e.getMessage(), e);
    }
  }
}
