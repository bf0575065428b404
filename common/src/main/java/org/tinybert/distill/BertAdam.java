package org.tinybert.distill;

import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.tinybert.model.Kernels;

/**
 * Adam as BERT and TinyBERT train with it, as a DL4J updater so DL4J's training loop, Spark parameter averaging (which
 * averages updater state too) and its serialisation all apply.
 *
 * <p>{@code BertAdam} (the default) is pytorch-pretrained-bert's optimiser used by TinyBERT's code: moments without bias
 * correction, eps 1e-6. With {@code biasCorrection} it is standard AdamW (torch.optim.AdamW, eps 1e-8). DL4J has no
 * such updater: its Adam always corrects bias. Weight decay is not applied here but through DL4J's decoupled
 * {@code WeightDecay} regularisation, which the distillation layer attaches to weight matrices only (not biases and
 * LayerNorm), as BERT's recipe does.
 */
// DL4J ships configurations to Spark executors as JSON through its shaded Jackson; plain private fields carry it.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class BertAdam implements IUpdater {
  public static final String M_STATE = "M";
  public static final String V_STATE = "V";

  private double learningRate;
  private ISchedule learningRateSchedule;
  private double beta1 = 0.9;
  private double beta2 = 0.999;
  private double epsilon = 1e-6;
  private boolean biasCorrection;

  /** For JSON deserialisation. */
  public BertAdam() {}

  public BertAdam(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon,
      boolean biasCorrection) {
    this.learningRate = learningRate;
    this.learningRateSchedule = schedule;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.biasCorrection = biasCorrection;
  }

  /** TinyBERT's BertAdam: no bias correction, eps 1e-6. */
  public static BertAdam bertAdam(double learningRate, ISchedule schedule) {
    return new BertAdam(learningRate, schedule, 0.9, 0.999, 1e-6, false);
  }

  /** Standard AdamW moments (bias-corrected, eps 1e-8). */
  public static BertAdam adamW(double learningRate, ISchedule schedule) {
    return new BertAdam(learningRate, schedule, 0.9, 0.999, 1e-8, true);
  }

  @Override
  public long stateSize(long numParams) {
    return 2 * numParams;
  }

  @Override
  public GradientUpdater<BertAdam> instantiate(INDArray viewArray, boolean initializeViewArray) {
    Updater u = new Updater(this);
    u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
    return u;
  }

  @Override
  public GradientUpdater<BertAdam> instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
    Updater u = new Updater(this);
    u.setState(state, initializeStateArrays);
    return u;
  }

  @Override
  public BertAdam clone() {
    return new BertAdam(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1, beta2,
        epsilon, biasCorrection);
  }

  @Override
  public double getLearningRate(int iteration, int epoch) {
    return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
  }

  @Override
  public boolean hasLearningRate() {
    return true;
  }

  @Override
  public void setLrAndSchedule(double lr, ISchedule schedule) {
    this.learningRate = lr;
    this.learningRateSchedule = schedule;
  }

  public double getBeta1() {
    return beta1;
  }

  public double getBeta2() {
    return beta2;
  }

  public double getEpsilon() {
    return epsilon;
  }

  public boolean isBiasCorrection() {
    return biasCorrection;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BertAdam b)) return false;
    return b.learningRate == learningRate && Objects.equals(b.learningRateSchedule, learningRateSchedule)
        && b.beta1 == beta1 && b.beta2 == beta2 && b.epsilon == epsilon && b.biasCorrection == biasCorrection;
  }

  @Override
  public int hashCode() {
    return Objects.hash(learningRate, learningRateSchedule, beta1, beta2, epsilon, biasCorrection);
  }

  @Override
  public String toString() {
    return (biasCorrection ? "AdamW" : "BertAdam") + "(lr=" + learningRate + ", schedule=" + learningRateSchedule
        + ", b1=" + beta1 + ", b2=" + beta2 + ", eps=" + epsilon + ")";
  }

  /** The state (first and second moments, one view each into DL4J's updater state) and the update rule. */
  static final class Updater implements GradientUpdater<BertAdam> {
    private final BertAdam config;
    private INDArray m;
    private INDArray v;

    Updater(BertAdam config) {
      this.config = config;
    }

    @Override
    public BertAdam getConfig() {
      return config;
    }

    @Override
    public void setState(Map<String, INDArray> state, boolean initialize) {
      if (!state.containsKey(M_STATE) || !state.containsKey(V_STATE)) {
        throw new IllegalStateException("BertAdam state needs " + M_STATE + " and " + V_STATE + ", found "
            + state.keySet());
      }
      m = state.get(M_STATE);
      v = state.get(V_STATE);
      if (initialize) {
        m.assign(0);
        v.assign(0);
      }
    }

    @Override
    public Map<String, INDArray> getState() {
      return Map.of(M_STATE, m, V_STATE, v);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
      if (initialize) viewArray.assign(0);
      // Views, never copies: DL4J averages, saves and restores this very array.
      long n = viewArray.length() / 2;
      if (viewArray.rank() == 2) {
        m = viewArray.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n));
        v = viewArray.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n));
      } else {
        m = viewArray.get(NDArrayIndex.interval(0, n));
        v = viewArray.get(NDArrayIndex.interval(n, 2 * n));
      }
    }

    /** Turns the gradient into the update DL4J subtracts: lr * m / (sqrt(v) + eps), in place. */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
      double lr = config.getLearningRate(iteration, epoch);
      double alpha = lr;
      if (config.biasCorrection) {
        int t = iteration + 1;
        alpha = lr * Math.sqrt(1 - Math.pow(config.beta2, t)) / (1 - Math.pow(config.beta1, t));
      }
      if (dense(gradient) && dense(m) && dense(v)) {
        fused(gradient, (float) alpha);
        return;
      }
      INDArray g = gradient;
      m.muli(config.beta1).addi(g.mul(1 - config.beta1));
      v.muli(config.beta2).addi(g.mul(g).muli(1 - config.beta2));
      INDArray denom = org.nd4j.linalg.ops.transforms.Transforms.sqrt(v, true).addi(config.epsilon);
      g.assign(m).divi(denom).muli(alpha);
    }

    private static boolean dense(INDArray a) {
      return a.dataType() == DataType.FLOAT && Kernels.isContiguous(a);
    }

    /**
     * The same update in one pass over chunks of g, m and v (the ND4J form is seven passes and three temporaries
     * over the student's 14.5M parameters), split over the cores.
     */
    private void fused(INDArray gradient, float alpha) {
      FloatBuffer gb = Kernels.buf(gradient);
      FloatBuffer mb = Kernels.buf(m);
      FloatBuffer vb = Kernels.buf(v);
      int n = (int) gradient.length();
      float b1 = (float) config.beta1;
      float b2 = (float) config.beta2;
      float c1 = (float) (1 - config.beta1);
      float c2 = (float) (1 - config.beta2);
      float eps = (float) config.epsilon;
      int chunk = 4096;
      int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / (8 * chunk)));
      int per = (n + threads - 1) / threads;
      IntStream.range(0, threads).parallel().forEach(t -> {
        float[] g = new float[chunk];
        float[] mm = new float[chunk];
        float[] vv = new float[chunk];
        int end = Math.min(n, (t + 1) * per);
        for (int from = t * per; from < end; from += chunk) {
          int k = Math.min(chunk, end - from);
          gb.get(from, g, 0, k);
          mb.get(from, mm, 0, k);
          vb.get(from, vv, 0, k);
          for (int i = 0; i < k; i++) {
            float gi = g[i];
            float mi = b1 * mm[i] + c1 * gi;
            float vi = b2 * vv[i] + c2 * gi * gi;
            mm[i] = mi;
            vv[i] = vi;
            g[i] = alpha * mi / ((float) Math.sqrt(vi) + eps);
          }
          mb.put(from, mm, 0, k);
          vb.put(from, vv, 0, k);
          gb.put(from, g, 0, k);
        }
      });
    }
  }
}
