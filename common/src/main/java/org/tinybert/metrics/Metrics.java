package org.tinybert.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The metrics of GLUE with the semantics of the libraries TinyBERT's {@code compute_metrics} calls: scikit-learn's
 * {@code f1_score} and {@code matthews_corrcoef}, SciPy's {@code pearsonr} and {@code spearmanr}. Written here rather
 * than taken from a Java library because their edge cases (zero denominators, ties, constant input) must be
 * scikit-learn's and SciPy's to reproduce TinyBERT's numbers.
 *
 * <p>Classification predictions and labels are label ids; regression ones are real numbers. Arrays must be non-empty
 * and of equal length.
 */
public final class Metrics {
  private Metrics() {}

  /** Fraction of predictions equal to the label. */
  public static double accuracy(int[] preds, int[] labels) {
    check(preds.length, labels.length);
    long correct = 0;
    for (int i = 0; i < preds.length; i++) if (preds[i] == labels[i]) correct++;
    return (double) correct / preds.length;
  }

  /** Binary F1 of the positive class 1 ({@code f1_score(labels, preds)}); 0 when nothing is or is predicted 1. */
  public static double f1(int[] preds, int[] labels) {
    check(preds.length, labels.length);
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < preds.length; i++) {
      if (preds[i] != 0 && preds[i] != 1 || labels[i] != 0 && labels[i] != 1) {
        throw new IllegalArgumentException("binary F1 needs labels 0 and 1, found prediction " + preds[i]
            + " and label " + labels[i] + " at position " + i);
      }
      if (preds[i] == 1 && labels[i] == 1) tp++;
      else if (preds[i] == 1) fp++;
      else if (labels[i] == 1) fn++;
    }
    return f1(tp, fp, fn);
  }

  /** TinyBERT's {@code acc_and_f1}: {@code acc}, {@code f1} and their mean {@code acc_and_f1}. */
  public static Map<String, Double> accAndF1(int[] preds, int[] labels) {
    double acc = accuracy(preds, labels);
    double f1 = f1(preds, labels);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("acc", acc);
    m.put("f1", f1);
    m.put("acc_and_f1", (acc + f1) / 2);
    return m;
  }

  /** Unweighted mean of the per-class F1 over every class seen in labels or predictions ({@code average="macro"}). */
  public static double f1Macro(int[] preds, int[] labels) {
    check(preds.length, labels.length);
    int[] classes = classes(preds, labels);
    double sum = 0;
    for (int c : classes) {
      long tp = 0;
      long fp = 0;
      long fn = 0;
      for (int i = 0; i < preds.length; i++) {
        if (preds[i] == c && labels[i] == c) tp++;
        else if (preds[i] == c) fp++;
        else if (labels[i] == c) fn++;
      }
      sum += f1(tp, fp, fn);
    }
    return sum / classes.length;
  }

  /**
   * F1 of the counts pooled over every class ({@code average="micro"}); with one label per example it equals the
   * accuracy, as in scikit-learn.
   */
  public static double f1Micro(int[] preds, int[] labels) {
    check(preds.length, labels.length);
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int c : classes(preds, labels)) {
      for (int i = 0; i < preds.length; i++) {
        if (preds[i] == c && labels[i] == c) tp++;
        else if (preds[i] == c) fp++;
        else if (labels[i] == c) fn++;
      }
    }
    return f1(tp, fp, fn);
  }

  /**
   * Matthews correlation coefficient, multiclass form (Gorodkin's R_K) as scikit-learn computes it; 0 when either
   * marginal is concentrated on one class (the denominator is 0).
   */
  public static double matthewsCorrcoef(int[] preds, int[] labels) {
    check(preds.length, labels.length);
    int[] classes = classes(preds, labels);
    long[] trueCount = new long[classes.length];
    long[] predCount = new long[classes.length];
    long correct = 0;
    for (int i = 0; i < preds.length; i++) {
      trueCount[Arrays.binarySearch(classes, labels[i])]++;
      predCount[Arrays.binarySearch(classes, preds[i])]++;
      if (preds[i] == labels[i]) correct++;
    }
    long n = preds.length;
    // Exact in long up to ~3e9 examples; only the final product and root need doubles.
    long tp = 0;
    long pp = 0;
    long tt = 0;
    for (int k = 0; k < classes.length; k++) {
      tp += trueCount[k] * predCount[k];
      pp += predCount[k] * predCount[k];
      tt += trueCount[k] * trueCount[k];
    }
    double covYtYp = (double) (correct * n - tp);
    double covYpYp = (double) (n * n - pp);
    double covYtYt = (double) (n * n - tt);
    if (covYpYp * covYtYt == 0) return 0.0;
    return covYtYp / Math.sqrt(covYtYt * covYpYp);
  }

  /**
   * Pearson's r as SciPy's {@code pearsonr} computes it (centred, normalised, dot product, clipped to [-1, 1]); NaN
   * when either side is constant, where SciPy warns and returns NaN.
   */
  public static double pearson(double[] preds, double[] labels) {
    check(preds.length, labels.length);
    if (preds.length < 2) throw new IllegalArgumentException("correlation needs at least 2 values, found 1");
    double[] x = centred(preds);
    double[] y = centred(labels);
    double nx = norm(x);
    double ny = norm(y);
    if (nx == 0 || ny == 0) return Double.NaN;
    double r = 0;
    for (int i = 0; i < x.length; i++) r += (x[i] / nx) * (y[i] / ny);
    return Math.max(-1.0, Math.min(1.0, r));
  }

  /** Spearman's rho: Pearson's r of the ranks, tied values sharing their average rank (SciPy's {@code spearmanr}). */
  public static double spearman(double[] preds, double[] labels) {
    check(preds.length, labels.length);
    return pearson(averageRanks(preds), averageRanks(labels));
  }

  /** TinyBERT's {@code pearson_and_spearman}: {@code pearson}, {@code spearmanr} and their mean {@code corr}. */
  public static Map<String, Double> pearsonAndSpearman(double[] preds, double[] labels) {
    double p = pearson(preds, labels);
    double s = spearman(preds, labels);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("pearson", p);
    m.put("spearmanr", s);
    m.put("corr", (p + s) / 2);
    return m;
  }

  /** 1-based ranks, ties getting the mean of the ranks they span ({@code scipy.stats.rankdata(method="average")}). */
  static double[] averageRanks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] ranks = new double[v.length];
    for (int i = 0; i < v.length; ) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) ranks[order[k]] = rank;
      i = j + 1;
    }
    return ranks;
  }

  // sklearn's F-score form: 2PR / (P + R), with P or R taken as 0 where its denominator is 0.
  private static double f1(long tp, long fp, long fn) {
    double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
    return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
  }

  private static int[] classes(int[] preds, int[] labels) {
    TreeSet<Integer> s = new TreeSet<>();
    for (int p : preds) s.add(p);
    for (int l : labels) s.add(l);
    return s.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] centred(double[] v) {
    double mean = 0;
    for (double d : v) mean += d;
    mean /= v.length;
    double[] c = new double[v.length];
    for (int i = 0; i < v.length; i++) c[i] = v[i] - mean;
    return c;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double d : v) s += d * d;
    return Math.sqrt(s);
  }

  private static void check(int preds, int labels) {
    if (preds != labels) {
      throw new IllegalArgumentException("predictions and labels must have the same length, found " + preds
          + " predictions and " + labels + " labels");
    }
    if (preds == 0) throw new IllegalArgumentException("no predictions: metrics need at least one example");
  }
}
