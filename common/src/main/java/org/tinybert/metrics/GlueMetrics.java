package org.tinybert.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.OutputMode;

/**
 * A task's metrics by the names its definition lists, in that order. The GLUE presets use TinyBERT's
 * {@code compute_metrics} names (cola, ax: {@code mcc}; sst-2, mnli, mnli-mm, qnli, rte, wnli: {@code acc}; mrpc, qqp:
 * {@code acc}, {@code f1}, {@code acc_and_f1}; sts-b: {@code pearson}, {@code spearmanr}, {@code corr}); task files
 * use {@code accuracy}, {@code f1}, {@code macro-f1}, {@code micro-f1}, {@code mcc}, {@code pearson} and
 * {@code spearman}. Each name is one function of {@link Metrics}, so a preset's numbers are TinyBERT's and a task
 * file's are scikit-learn's and SciPy's.
 */
public final class GlueMetrics {
  private GlueMetrics() {}

  /**
   * Metrics of a classification task.
   *
   * @param preds predicted label ids in the task's own label order ({@link TaskDefinition#labels()}), so that F1's
   *     positive class is the task's positive label ("1" for GLUE)
   * @param labels gold label ids, same order
   */
  public static Map<String, Double> compute(TaskDefinition task, int[] preds, int[] labels) {
    if (task.outputMode() != OutputMode.CLASSIFICATION) {
      throw new IllegalArgumentException(task + " is a regression task: pass real-valued predictions and labels");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    for (String name : task.metricNames()) {
      double v = switch (name) {
        case "acc", "accuracy" -> Metrics.accuracy(preds, labels);
        case "f1" -> binaryF1(task, preds, labels);
        // TinyBERT's acc_and_f1: the mean of the two.
        case "acc_and_f1" -> (Metrics.accuracy(preds, labels) + binaryF1(task, preds, labels)) / 2;
        case "macro-f1" -> Metrics.f1Macro(preds, labels);
        case "micro-f1" -> Metrics.f1Micro(preds, labels);
        case "mcc" -> Metrics.matthewsCorrcoef(preds, labels);
        default -> throw new IllegalArgumentException(task + ": '" + name + "' is not a classification metric");
      };
      m.put(name, v);
    }
    return m;
  }

  /** Metrics of a regression task. */
  public static Map<String, Double> compute(TaskDefinition task, double[] preds, double[] labels) {
    if (task.outputMode() != OutputMode.REGRESSION) {
      throw new IllegalArgumentException(task + " is a classification task: pass label ids");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    for (String name : task.metricNames()) {
      double v = switch (name) {
        case "pearson" -> Metrics.pearson(preds, labels);
        case "spearman", "spearmanr" -> Metrics.spearman(preds, labels);
        // TinyBERT's corr: the mean of the two.
        case "corr" -> (Metrics.pearson(preds, labels) + Metrics.spearman(preds, labels)) / 2;
        default -> throw new IllegalArgumentException(task + ": '" + name + "' is not a regression metric");
      };
      m.put(name, v);
    }
    return m;
  }

  /** The value of the metric the best checkpoint is kept by ({@link TaskDefinition#primaryMetric()}). */
  public static double primary(TaskDefinition task, Map<String, Double> metrics) {
    Double v = metrics.get(task.primaryMetric());
    if (v == null) {
      throw new IllegalArgumentException("metrics of " + task + " lack its primary metric '" + task.primaryMetric()
          + "', found " + metrics.keySet());
    }
    return v;
  }

  /** scikit-learn's {@code f1_score(y, p, pos_label=positive)}: the task's positive label against the rest. */
  private static double binaryF1(TaskDefinition task, int[] preds, int[] labels) {
    int positive = task.labels().indexOf(task.positiveLabel());
    if (positive < 0) {
      throw new IllegalArgumentException(task + " reports f1 but its positive label '" + task.positiveLabel()
          + "' is not one of its labels " + task.labels());
    }
    return Metrics.f1(binary(preds, positive), binary(labels, positive));
  }

  private static int[] binary(int[] ids, int positive) {
    int[] b = new int[ids.length];
    for (int i = 0; i < ids.length; i++) b[i] = ids[i] == positive ? 1 : 0;
    return b;
  }
}
