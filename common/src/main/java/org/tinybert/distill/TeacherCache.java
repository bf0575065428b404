package org.tinybert.distill;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;

/**
 * Teachers loaded once per JVM (one per Spark executor), keyed by their directory. A BERT-base teacher's outputs are
 * about 5 MB per example, so they are never shipped: each executor runs its own teacher next to the student.
 */
public final class TeacherCache {
  private static final Map<String, BertModel> TEACHERS = new ConcurrentHashMap<>();
  private static final AtomicLong FORWARDS = new AtomicLong();

  private TeacherCache() {}

  public static BertModel get(String dir) {
    return TEACHERS.computeIfAbsent(dir, d -> {
      HfCheckpoint ck = HfCheckpoint.load(new Path(d), HadoopIO.defaultConf());
      return new BertModel(ck.config(), ck.weights()).frozen();
    });
  }

  /**
   * Puts an already built teacher under {@code key}, which layers then name as their teacher path (benchmarks with
   * random weights; a key that is not a directory is never loaded).
   */
  public static void register(String key, BertModel teacher) {
    TEACHERS.put(key, teacher);
  }

  /** Drops the teacher under {@code key}, if any. */
  public static void remove(String key) {
    TEACHERS.remove(key);
  }

  /** Counts one teacher forward pass (for tests and progress). */
  static void countForward() {
    FORWARDS.incrementAndGet();
  }

  /** Teacher forward passes run in this JVM so far. */
  public static long forwardCount() {
    return FORWARDS.get();
  }

  /** Drops cached teachers (tests; a long-lived JVM switching teachers). */
  public static void clear() {
    TEACHERS.clear();
  }
}
