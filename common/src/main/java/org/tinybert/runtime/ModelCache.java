package org.tinybert.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.text.Vocab;

/**
 * Hugging Face model directories loaded at most once per JVM, keyed by their qualified path: every task of an executor
 * (and, in local mode, the driver) shares one copy of the weights, so closures carry only the path. A directory
 * replaced since it was loaded (a best checkpoint saved again under the same name) is loaded afresh: the entry
 * remembers the modification time of its {@code config.json}, which {@link HfCheckpoint#save} rewrites.
 *
 * <p>A {@link BertModel} is only read by {@link BertModel#forward}, so concurrent tasks may share it.
 */
public final class ModelCache {
  private ModelCache() {}

  /**
   * One loaded directory.
   *
   * @param dir the qualified directory path
   * @param model the weights, as {@link HfCheckpoint#load} reads them
   * @param vocab the directory's {@code vocab.txt}
   */
  public record Entry(Path dir, BertModel model, Vocab vocab, long stamp) {}

  private static final ConcurrentHashMap<String, Entry> CACHE = new ConcurrentHashMap<>();

  /** The model in {@code dir}, loading it on first use (and again after the directory was replaced). */
  public static Entry get(Path dir, Configuration conf) {
    FileSystem fs = HadoopIO.fs(dir, conf);
    Path qualified = fs.makeQualified(dir);
    long stamp = stamp(fs, qualified);
    return CACHE.compute(qualified.toString(), (key, old) ->
        old != null && old.stamp() == stamp ? old : load(qualified, conf, stamp));
  }

  /** Forgets every loaded model (tests; a driver done with its teacher). */
  public static void clear() {
    CACHE.clear();
  }

  /** How many directories are loaded. */
  public static int size() {
    return CACHE.size();
  }

  private static Entry load(Path dir, Configuration conf, long stamp) {
    HfCheckpoint ck = HfCheckpoint.load(dir, conf);
    Vocab vocab = Vocab.ofModel(dir, conf);
    return new Entry(dir, new BertModel(ck.config(), ck.weights()), vocab, stamp);
  }

  /** Modification time of config.json, or -1 when it is missing (then {@link HfCheckpoint#load} says so). */
  private static long stamp(FileSystem fs, Path dir) {
    try {
      FileStatus s = fs.getFileStatus(new Path(dir, HfCheckpoint.CONFIG_FILE));
      return s.getModificationTime();
    } catch (java.io.FileNotFoundException e) {
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + new Path(dir, HfCheckpoint.CONFIG_FILE) + ": " + e.getMessage(),
          e);
    }
  }
}
