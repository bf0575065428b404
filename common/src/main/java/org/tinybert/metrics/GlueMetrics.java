package org.tinybert.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;

/**
 * TinyBERT's {@code compute_metrics}: per task, the metrics under the names it reports (cola, ax: {@code mcc};
 * sst-2, mnli, mnli-mm, qnli, rte, wnli: {@code acc}; mrpc, qqp: {@code acc}, {@code f1}, {@code acc_and_f1}; sts-b:
 * {@code pearson}, {@code spearmanr}, {@code corr}), in that order.
 */
public final class GlueMetrics {
  private GlueMetrics() {}

  /**
   * Metrics of a classification task.
   *
   * @param preds predicted label ids in the task's own label order ({@link GlueTask#labels()}), so that F1's positive
   *     class is the label "1"
   * @param labels gold label ids, same order
   */
  public static Map<String, Double> compute(GlueTask task, int[] preds, int[] labels) {
    if (task.outputMode() != OutputMode.CLASSIFICATION) {
      throw new IllegalArgumentException(task + " is a regression task: pass real-valued predictions and labels");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    switch (task) {
      case COLA, AX -> m.put("mcc", Metrics.matthewsCorrcoef(preds, labels));
      case MRPC, QQP -> m.putAll(Metrics.accAndF1(preds, labels));
      default -> m.put("acc", Metrics.accuracy(preds, labels));
    }
    return m;
  }

  /** Metrics of the regression task STS-B. */
  public static Map<String, Double> compute(GlueTask task, double[] preds, double[] labels) {
    if (task.outputMode() != OutputMode.REGRESSION) {
      throw new IllegalArgumentException(task + " is a classification task: pass label ids");
    }
    return Metrics.pearsonAndSpearman(preds, labels);
  }

  /** The value of the metric TinyBERT keeps the best checkpoint by ({@link GlueTask#primaryMetric()}). */
  public static double primary(GlueTask task, Map<String, Double> metrics) {
    Double v = metrics.get(task.primaryMetric());
    if (v == null) {
      throw new IllegalArgumentException("metrics of " + task + " lack its primary metric '" + task.primaryMetric()
          + "', found " + metrics.keySet());
    }
    return v;
  }
}
