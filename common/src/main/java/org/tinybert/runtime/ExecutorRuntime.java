package org.tinybert.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.BertModel;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.Engine;
import org.tinybert.text.Vocab;

/**
 * What every task on an executor sets up before it computes, in one place for training (the teacher), scoring
 * (evaluate, predict, infer) and augmentation (the masked LM): the models it reads, loaded once per JVM, and the GPU
 * and engine it computes with.
 *
 * <p>Model directories are keyed by their qualified path: every task of an executor (and, in local mode, the driver)
 * shares one copy of the weights, so closures carry only the path. A directory replaced since it was loaded (a best
 * checkpoint saved again under the same name) is loaded afresh: the entry remembers the modification time of its
 * {@code config.json}, which {@link HfCheckpoint#save} rewrites.
 *
 * <p>A {@link BertModel} is only read by {@link BertModel#forward}, so concurrent tasks may share it.
 */
public final class ExecutorRuntime {
  private ExecutorRuntime() {}

  /**
   * One loaded directory (or a registered model). Its frozen view and its vocabulary are made on first use, once: a
   * teacher needs no vocabulary (its directory may have none), and a caller that scores with the model as loaded
   * never pays for the stacked projections.
   */
  public static final class Model {
    private final Path dir;
    private final String name;
    private final BertModel model;
    private final long stamp;
    private final Configuration conf;
    private volatile BertModel frozen;
    private volatile Vocab vocab;

    Model(Path dir, String name, BertModel model, long stamp, Configuration conf) {
      this.dir = dir;
      this.name = name;
      this.model = model;
      this.stamp = stamp;
      this.conf = conf;
    }

    /** The qualified directory path; null for a {@link #register registered} model. */
    public Path dir() {
      return dir;
    }

    /** The qualified directory path, or the key a model was registered under. */
    public String name() {
      return name;
    }

    /** The weights as {@link HfCheckpoint#load} reads them. */
    public BertModel model() {
      return model;
    }

    /** {@link #model()}'s {@link BertModel#frozen} view, the same one for every caller in this JVM. */
    public BertModel frozen() {
      BertModel f = frozen;
      if (f == null) {
        synchronized (this) {
          f = frozen;
          if (f == null) frozen = f = model.frozen();
        }
      }
      return f;
    }

    /** The directory's vocabulary ({@link Vocab#ofModel}), read on the first call. */
    public Vocab vocab() {
      Vocab v = vocab;
      if (v == null) {
        synchronized (this) {
          v = vocab;
          if (v == null) {
            if (conf == null) throw new IllegalStateException("the model registered as " + name + " has no vocabulary");
            vocab = v = Vocab.ofModel(dir, conf);
          }
        }
      }
      return v;
    }

    /** Modification time of config.json when it was loaded. */
    public long stamp() {
      return stamp;
    }
  }

  private static final ConcurrentHashMap<String, Model> CACHE = new ConcurrentHashMap<>();
  private static final Map<String, Model> REGISTERED = new ConcurrentHashMap<>();
  private static final Map<String, Object> SHARED = new ConcurrentHashMap<>();

  /** The model in {@code dir}, loading it on first use (and again after the directory was replaced). */
  public static Model model(Path dir, Configuration conf) {
    FileSystem fs = HadoopIO.fs(dir, conf);
    Path qualified = fs.makeQualified(dir);
    long stamp = stamp(fs, qualified);
    return CACHE.compute(qualified.toString(), (key, old) ->
        old != null && old.stamp() == stamp ? old : load(qualified, conf, stamp));
  }

  /**
   * The model registered under {@code dir}, else the directory {@code dir} read with the default Hadoop configuration
   * (what a DL4J layer configuration names as its teacher).
   */
  public static Model model(String dir) {
    Model registered = REGISTERED.get(dir);
    return registered != null ? registered : model(new Path(dir), HadoopIO.defaultConf());
  }

  /**
   * Puts an already built model under {@code key}, which {@link #model(String)} then returns (benchmarks with random
   * weights; a key that is not a directory is never loaded).
   */
  public static void register(String key, BertModel model) {
    REGISTERED.put(key, new Model(null, key, model, -1, null));
  }

  /** Drops the model registered under {@code key}, if any. */
  public static void remove(String key) {
    REGISTERED.remove(key);
  }

  /**
   * Sets up the calling task to compute: binds its thread to the GPU Spark assigned it ({@link GpuBinding}) and
   * resolves {@code engine} against this JVM's ND4J backend. Returns the engine.
   */
  public static Engine bind(EngineChoice engine) {
    GpuBinding.bindCurrentTask();
    return engine.resolve();
  }

  /**
   * The value under {@code key}, made by {@code make} on the first call in this JVM, so every task of an executor
   * shares what it derives from a broadcast (GloVe's neighbour finder) as it shares a model. A key starts with what
   * its value is derived from, so {@link #forgetShared} can drop them together.
   */
  public static <T> T shared(String key, Class<T> type, Supplier<? extends T> make) {
    return type.cast(SHARED.computeIfAbsent(key, k -> make.get()));
  }

  /** Drops the shared values whose key starts with {@code prefix} (those of a destroyed broadcast). */
  public static void forgetShared(String prefix) {
    SHARED.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** Forgets every loaded model (tests; a driver done with its teacher). */
  public static void clear() {
    CACHE.clear();
  }

  /** How many directories are loaded. */
  public static int size() {
    return CACHE.size();
  }

  private static Model load(Path dir, Configuration conf, long stamp) {
    HfCheckpoint ck = HfCheckpoint.load(dir, conf);
    return new Model(dir, dir.toString(), new BertModel(ck.config(), ck.weights()), stamp, conf);
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
