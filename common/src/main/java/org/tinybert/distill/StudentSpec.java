package org.tinybert.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.BertConfig;

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

  /**
   * The student's fit_dense projection(s) as the identity (weight I, bias 0), for a student as wide as its teacher
   * (one cut from the teacher's layers): its representations then reach the hidden and embedding losses unchanged,
   * so training starts from the copied model's own loss instead of a random projection's. Empty without fit_dense.
   */
  public Map<String, INDArray> identityFit() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    if (heads.fit() == Heads.Fit.NONE) return out;
    int h = config.hiddenSize();
    if (heads.fitSize() != h) {
      throw new IllegalArgumentException("an identity fit_dense needs the student's hidden_size " + h
          + " to equal the teacher width " + heads.fitSize());
    }
    int count = heads.fit() == Heads.Fit.SHARED ? 1 : config.numHiddenLayers() + 1;
    for (int i = 0; i < count; i++) {
      String module = heads.fit() == Heads.Fit.SHARED ? HfNames.FIT_DENSE : HfNames.fitDense(i);
      out.put(HfNames.weight(module), Nd4j.eye(h).castTo(DataType.FLOAT));
      out.put(HfNames.bias(module), Nd4j.zeros(DataType.FLOAT, h));
    }
    return out;
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
