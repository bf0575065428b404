package org.tinybert.training;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.corpus.MinibatchExporter;

/**
 * For the cluster tests only: an executor that halts its JVM ({@link Runtime#halt}, as {@code kill -9} would) the
 * first time it loads one chosen minibatch, so that a test can lose an executor in the middle of a round at a known
 * point. A marker file, created before halting, keeps the relaunched executor (and every later one) from halting
 * again. Off unless both Spark settings are given, e.g. {@code --conf spark.tinybert.test.haltExecutorOnMinibatch=1:6
 * --conf spark.tinybert.test.haltMarker=file:///tmp/halted}; never halts a driver (local mode).
 */
final class HaltOnMinibatch implements MultiDataSetLoader {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(HaltOnMinibatch.class);
  /** {@code EPOCH:MINIBATCH}, both 1-based: the minibatch's place in that epoch's training order. */
  static final String AT = "spark.tinybert.test.haltExecutorOnMinibatch";
  /** Any Hadoop path; it must not exist when the run starts. */
  static final String MARKER = "spark.tinybert.test.haltMarker";
  /** What a JVM killed by SIGKILL exits with. */
  private static final int EXIT = 137;

  private final MultiDataSetLoader delegate;
  private final String pathSuffix;
  private final String marker;

  private HaltOnMinibatch(MultiDataSetLoader delegate, String pathSuffix, String marker) {
    this.delegate = delegate;
    this.pathSuffix = pathSuffix;
    this.marker = marker;
  }

  /** {@code loader} itself, or wrapped when the run's Spark settings ask for a halt. */
  static MultiDataSetLoader wrap(SparkConf conf, MultiDataSetLoader loader) {
    if (!conf.contains(AT)) return loader;
    String at = conf.get(AT).trim();
    String marker = conf.get(MARKER, "").trim();
    String[] parts = at.split(":");
    int epoch;
    int minibatch;
    try {
      if (parts.length != 2) throw new NumberFormatException();
      epoch = Integer.parseInt(parts[0]);
      minibatch = Integer.parseInt(parts[1]);
      if (epoch < 1 || minibatch < 1) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(AT + " must be EPOCH:MINIBATCH, both counted from 1, found '" + at + "'");
    }
    if (marker.isEmpty()) throw new IllegalArgumentException(AT + " needs " + MARKER + " (a path) as well");
    String suffix = "/" + MinibatchExporter.EPOCH_PREFIX + (epoch - 1) + "/"
        + MinibatchExporter.batchPath(new Path("x"), minibatch - 1).getName();
    LOG.warn("test fault: an executor will halt on loading {} unless {} exists", suffix, marker);
    return new HaltOnMinibatch(loader, suffix, marker);
  }

  @Override
  public MultiDataSet load(Source source) throws IOException {
    SparkEnv env = SparkEnv.get();
    boolean executor = env != null && !"driver".equals(env.executorId());
    if (executor && source.getPath().endsWith(pathSuffix)) {
      Path m = new Path(marker);
      FileSystem fs = m.getFileSystem(new Configuration());
      if (fs.createNewFile(m)) {
        LOG.warn("test fault: executor {} halts on loading {} ({} created)", env.executorId(), source.getPath(),
            marker);
        Runtime.getRuntime().halt(EXIT);
      }
    }
    return delegate.load(source);
  }
}
