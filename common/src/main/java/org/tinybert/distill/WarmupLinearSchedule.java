package org.tinybert.distill;

import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * BERT's warmup-linear learning rate: linear warm-up over the first {@code warmupProportion} of {@code totalSteps},
 * then linear decay to 0 at {@code totalSteps} (pytorch-pretrained-bert's {@code warmup_linear}, as TinyBERT uses it).
 * A DL4J {@link ISchedule} over iterations, so it travels with the network configuration to Spark executors.
 */
// DL4J ships configurations to Spark executors as JSON through its shaded Jackson; plain private fields carry it.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class WarmupLinearSchedule implements ISchedule {
  private double initialValue;
  private double warmupProportion;
  private long totalSteps;

  /** For JSON deserialisation. */
  public WarmupLinearSchedule() {}

  public WarmupLinearSchedule(double initialValue, double warmupProportion, long totalSteps) {
    if (totalSteps <= 0) throw new IllegalArgumentException("warmup-linear needs total steps > 0, found " + totalSteps);
    if (warmupProportion < 0 || warmupProportion >= 1) {
      throw new IllegalArgumentException("warmup proportion must be in [0, 1), found " + warmupProportion);
    }
    this.initialValue = initialValue;
    this.warmupProportion = warmupProportion;
    this.totalSteps = totalSteps;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    double x = (double) iteration / totalSteps;
    double factor;
    if (warmupProportion > 0 && x < warmupProportion) {
      factor = x / warmupProportion;
    } else {
      factor = Math.max((x - 1.0) / (warmupProportion - 1.0), 0.0);
    }
    return initialValue * factor;
  }

  @Override
  public ISchedule clone() {
    return new WarmupLinearSchedule(initialValue, warmupProportion, totalSteps);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmupLinearSchedule w && w.initialValue == initialValue
        && w.warmupProportion == warmupProportion && w.totalSteps == totalSteps;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialValue, warmupProportion, totalSteps);
  }

  @Override
  public String toString() {
    return "WarmupLinear(lr=" + initialValue + ", warmup=" + warmupProportion + ", total=" + totalSteps + ")";
  }
}
