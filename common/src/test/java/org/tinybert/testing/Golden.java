package org.tinybert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.BertBatch;

/**
 * The first golden fixture set (seed 1, test resources under /org/tinybert/golden, see its README), and helpers for
 * reading any set's JSON. {@link GoldenSet} reads a set by name.
 */
public final class Golden {
  private Golden() {}

  public static Path dir() {
    return GoldenSet.SEED1.dir();
  }

  public static org.apache.hadoop.fs.Path hadoopPath(String name) {
    return GoldenSet.SEED1.hadoopPath(name);
  }

  public static JsonNode json(String name) {
    return GoldenSet.SEED1.json(name);
  }

  public static HfCheckpoint checkpoint(String who) {
    return GoldenSet.SEED1.checkpoint(who);
  }

  public static BertModel model(String who) {
    return GoldenSet.SEED1.model(who);
  }

  public static Map<String, INDArray> expected() {
    return GoldenSet.SEED1.expected();
  }

  public static int[][] ints(JsonNode n) {
    int[][] a = new int[n.size()][];
    for (int i = 0; i < a.length; i++) {
      a[i] = new int[n.get(i).size()];
      for (int j = 0; j < a[i].length; j++) a[i][j] = n.get(i).get(j).asInt();
    }
    return a;
  }

  public static int[] intArray(JsonNode n) {
    int[] a = new int[n.size()];
    for (int i = 0; i < a.length; i++) a[i] = n.get(i).asInt();
    return a;
  }

  /** inputs.json's "batch" (or "mlm") as a BertBatch. */
  public static BertBatch batch(String key) {
    return GoldenSet.SEED1.batch(key);
  }

  public static float[] regressionLabels() {
    return GoldenSet.SEED1.regressionLabels();
  }
}
