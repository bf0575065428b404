package org.tinybert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertBatch;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.SafeTensors;

/** The golden fixture set (test resources under /org/tinybert/golden, see its README). */
public final class Golden {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Golden() {}

  public static Path dir() {
    try {
      return Path.of(Golden.class.getResource("/org/tinybert/golden").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static org.apache.hadoop.fs.Path hadoopPath(String name) {
    return new org.apache.hadoop.fs.Path(dir().resolve(name).toUri());
  }

  public static JsonNode json(String name) {
    try {
      return JSON.readTree(dir().resolve(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static HfCheckpoint checkpoint(String who) {
    return HfCheckpoint.load(hadoopPath(who), new Configuration());
  }

  public static BertModel model(String who) {
    HfCheckpoint ck = checkpoint(who);
    return new BertModel(ck.config(), ck.weights());
  }

  public static Map<String, INDArray> expected() {
    return SafeTensors.read(hadoopPath("expected.safetensors"), new Configuration());
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
    JsonNode b = json("inputs.json").get(key);
    return BertBatch.of(ints(b.get("input_ids")), ints(b.get("segment_ids")), ints(b.get("input_mask")));
  }

  public static float[] regressionLabels() {
    JsonNode n = json("inputs.json").get("regression_labels");
    float[] out = new float[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) n.get(i).asDouble();
    return out;
  }
}
