package org.tinybert.distill;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Engine;

/**
 * Adam as BERT and TinyBERT train with it, as a DL4J updater so DL4J's training loop, Spark parameter averaging (which
 * averages updater state too) and its serialisation all apply.
 *
 * <p>{@code BertAdam} (the default) is pytorch-pretrained-bert's optimiser used by TinyBERT's code: moments without bias
 * correction, eps 1e-6. With {@code biasCorrection} it is standard AdamW (torch.optim.AdamW, eps 1e-8). DL4J has no
 * such updater: its Adam always corrects bias. Weight decay is not applied here but through DL4J's decoupled
 * {@code WeightDecay} regularisation, which the distillation layer attaches to weight matrices only (not biases and
 * LayerNorm), as BERT's recipe does.
 *
 * <p>The update is an {@link Engine}'s ({@code tinybert.engine}, carried in the JSON like every other field, so an
 * executor computes it where its arrays live).
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
  private String engine = EngineChoice.AUTO.key();

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

  /** The same optimiser computed by {@code choice}'s engine. */
  public BertAdam withEngine(EngineChoice choice) {
    BertAdam b = clone();
    b.engine = choice.key();
    return b;
  }

  public EngineChoice getEngine() {
    return EngineChoice.parse(engine);
  }

  Engine engine() {
    return getEngine().resolve();
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
    BertAdam b = new BertAdam(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1,
        beta2, epsilon, biasCorrection);
    b.engine = engine;
    return b;
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
        && b.beta1 == beta1 && b.beta2 == beta2 && b.epsilon == epsilon && b.biasCorrection == biasCorrection
        && Objects.equals(b.engine, engine);
  }

  @Override
  public int hashCode() {
    return Objects.hash(learningRate, learningRateSchedule, beta1, beta2, epsilon, biasCorrection, engine);
  }

  @Override
  public String toString() {
    return (biasCorrection ? "AdamW" : "BertAdam") + "(lr=" + learningRate + ", schedule=" + learningRateSchedule
        + ", b1=" + beta1 + ", b2=" + beta2 + ", eps=" + epsilon + ", engine=" + engine + ")";
  }

  /** The state (first and second moments, one view each into DL4J's updater state) and the update rule. */
  static final class Updater implements GradientUpdater<BertAdam> {
    private final BertAdam config;
    /** The config's engine, resolved on first use in this JVM (an executor's, when the updater was shipped). */
    private Engine engine;
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
      if (engine == null) engine = config.engine();
      engine.adamUpdate(gradient, m, v, alpha, config.beta1, config.beta2, config.epsilon);
    }
  }
}
