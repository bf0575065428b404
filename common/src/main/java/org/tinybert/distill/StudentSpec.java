package org.tinybert.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertConfig;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfNames;

/**
 * The student's architecture: its BERT config plus which optional parts it has, and from that its parameter layout.
 *
 * <p>DL4J joins layer and parameter names with '_' and splits on it, and Hugging Face names contain '_'
 * ({@code word_embeddings}); {@link #dl4jKey}/{@link #hfName} map between the two ('_' becomes '-', which no HF BERT
 * name contains).
 */
public record StudentSpec(BertConfig config, Heads heads) {

  public ParamLayout layout() {
    return new ParamLayout(HfNames.expectedShapes(config, heads));
  }

  public static String dl4jKey(String hfName) {
    return hfName.replace('_', '-');
  }

  public static String hfName(String dl4jKey) {
    return dl4jKey.replace('-', '_');
  }

  /** LayerNorm parameters and biases take no weight decay (BERT's no_decay list). */
  public static boolean decays(String hfName) {
    return !(hfName.endsWith(".bias") || hfName.contains("LayerNorm"));
  }

  /**
   * BERT's initialisation (modeling.py / HF {@code _init_weights}): weights and embeddings from a normal with
   * standard deviation initializer_range truncated at two deviations, biases 0, LayerNorm gain 1.
   */
  public static void initialise(Map<String, INDArray> views, double std, long seed) {
    Random rnd = new Random(seed);
    Map<String, INDArray> sorted = new LinkedHashMap<>(views);
    for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
      String name = e.getKey();
      INDArray v = e.getValue();
      if (name.contains("LayerNorm") && name.endsWith(".weight")) {
        v.assign(1.0);
      } else if (name.endsWith(".bias")) {
        v.assign(0.0);
      } else {
        float[] data = new float[(int) v.length()];
        for (int i = 0; i < data.length; i++) {
          double g;
          do {
            g = rnd.nextGaussian();
          } while (Math.abs(g) > 2.0);
          data[i] = (float) (g * std);
        }
        v.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(data).reshape(v.shape()));
      }
    }
  }
}
