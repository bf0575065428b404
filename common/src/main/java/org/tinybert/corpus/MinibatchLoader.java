package org.tinybert.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.tinybert.io.HadoopIO;

/**
 * Loads one minibatch file written by {@link MinibatchExporter} for DL4J's {@code fitPaths}: DL4J calls
 * {@link #load(Source)} once per path on the executor, the {@code Source} opening the path on its Hadoop file system.
 * Unlike DL4J's {@code SerializedMultiDataSetLoader} it checks the shapes, so a minibatch exported with other
 * settings fails with its path instead of deep inside the model.
 */
public final class MinibatchLoader implements MultiDataSetLoader {
  private static final long serialVersionUID = 1L;

  private final int batchSize;
  private final int maxSeqLength;

  /**
   * Expects features [B, 3 * maxSeqLength] and labels [B, 1] with B = batchSize, or fewer for an epoch's last
   * minibatch.
   */
  public MinibatchLoader(int batchSize, int maxSeqLength) {
    if (batchSize <= 0 || maxSeqLength <= 0) {
      throw new IllegalArgumentException("batch size and max_seq_length must be > 0, found " + batchSize + " and "
          + maxSeqLength);
    }
    this.batchSize = batchSize;
    this.maxSeqLength = maxSeqLength;
  }

  @Override
  public MultiDataSet load(Source source) throws IOException {
    try (InputStream in = source.getInputStream()) {
      return read(in, source.getPath());
    }
  }

  /** Loads a minibatch from a Hadoop path (outside DL4J: tests, inspection). */
  public MultiDataSet load(Path path, Configuration conf) throws IOException {
    try (InputStream in = HadoopIO.open(path, conf)) {
      return read(in, path.toString());
    }
  }

  private MultiDataSet read(InputStream in, String path) throws IOException {
    org.nd4j.linalg.dataset.MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet();
    try {
      mds.load(in);
    } catch (RuntimeException e) {
      throw new IOException(path + ": not a saved ND4J MultiDataSet: " + e.getMessage(), e);
    }
    long rows = mds.numFeatureArrays() == 1 ? mds.getFeatures(0).size(0) : batchSize;
    if (rows < 1 || rows > batchSize) rows = batchSize;
    long[] expectedFeatures = {rows, 3L * maxSeqLength};
    long[] expectedLabels = {rows, 1};
    if (mds.numFeatureArrays() != 1 || mds.numLabelsArrays() != 1
        || !Arrays.equals(mds.getFeatures(0).shape(), expectedFeatures)
        || !Arrays.equals(mds.getLabels(0).shape(), expectedLabels)) {
      throw new IOException(path + ": expected one features array " + Arrays.toString(expectedFeatures)
          + " (input ids, segment ids, mask) and one labels array " + Arrays.toString(expectedLabels) + ", found "
          + shapes(mds.getFeatures()) + " and " + shapes(mds.getLabels()));
    }
    return mds;
  }

  private static String shapes(INDArray[] arrays) {
    if (arrays == null) return "none";
    StringBuilder b = new StringBuilder();
    for (INDArray a : arrays) {
      b.append(b.length() == 0 ? "" : ", ").append(a == null ? "null" : Arrays.toString(a.shape()));
    }
    return arrays.length + " array(s) " + b;
  }

  public int batchSize() {
    return batchSize;
  }

  public int maxSeqLength() {
    return maxSeqLength;
  }
}
