package org.tinybert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.SafeTensors;
import org.tinybert.model.core.BertBatch;

/**
 * One golden fixture set: a directory of test resources under {@code /org/tinybert/} made by the PyTorch reference
 * with one seed (see each set's README). Sets differ in sizes, vocabulary layout and sentences, so tests written
 * against {@link #all()} cannot lean on one configuration.
 *
 * @param name the resource directory, e.g. {@code golden} (seed 1) or {@code golden-seed7}
 */
public record GoldenSet(String name) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The first set (seed 1), the one {@link Golden}'s static methods read. */
  public static final GoldenSet SEED1 = new GoldenSet("golden");
  /** A second set (seed 7): smaller, another vocabulary layout, another temperature. */
  public static final GoldenSet SEED7 = new GoldenSet("golden-seed7");
  /** A third set (seed 23), made for the engine parity tests: other weights, vocabulary layout and sentences. */
  public static final GoldenSet SEED23 = new GoldenSet("golden-seed23");

  /** Every set, for {@code @MethodSource("org.tinybert.testing.GoldenSet#all")}. */
  public static List<GoldenSet> all() {
    return List.of(SEED1, SEED7, SEED23);
  }

  public Path dir() {
    URL url = GoldenSet.class.getResource("/org/tinybert/" + name);
    if (url == null) throw new IllegalStateException("no golden set /org/tinybert/" + name + " on the test classpath");
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public org.apache.hadoop.fs.Path hadoopPath(String file) {
    return new org.apache.hadoop.fs.Path(dir().resolve(file).toUri());
  }

  public JsonNode json(String file) {
    try {
      return JSON.readTree(dir().resolve(file).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code teacher} or {@code student}, as loaded from its Hugging Face directory. */
  public HfCheckpoint checkpoint(String who) {
    return HfCheckpoint.load(hadoopPath(who), new Configuration());
  }

  public BertModel model(String who) {
    HfCheckpoint ck = checkpoint(who);
    return new BertModel(ck.config(), ck.weights());
  }

  /** expected.safetensors: {@code teacher.*}, {@code student.*}, {@code grad.*}, {@code grad_pred.*}. */
  public Map<String, INDArray> expected() {
    return SafeTensors.read(hadoopPath("expected.safetensors"), new Configuration());
  }

  /** inputs.json's "batch" (or "mlm") as a BertBatch. */
  public BertBatch batch(String key) {
    JsonNode b = json("inputs.json").get(key);
    return BertBatch.of(Golden.ints(b.get("input_ids")), Golden.ints(b.get("segment_ids")),
        Golden.ints(b.get("input_mask")));
  }

  public float[] regressionLabels() {
    JsonNode n = json("inputs.json").get("regression_labels");
    float[] out = new float[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) n.get(i).asDouble();
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}
