package org.tinybert.infer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of {@code infer}'s output: the kept input columns (id, text, pair), then what the model gives, and how
 * a model output row becomes them.
 *
 * @param columns the kept input columns
 * @param written what is written per example
 * @param labels the classifier's label names in logit order (empty unless a label is written)
 */
public record OutputSchema(Columns columns, Written written, List<String> labels) implements Serializable {
  public static final String LABEL = "label";
  public static final String PROBABILITIES = "probabilities";
  public static final String SCORE = "score";
  public static final String EMBEDDING = "embedding";

  /** What {@code infer} writes per example. */
  public enum Written {
    /** The predicted label's name. */
    LABEL,
    /** The predicted label's name and the softmax of the logits. */
    LABEL_AND_PROBABILITIES,
    /** A regression model's value, {@code logits[0]}. */
    SCORE,
    /** An embedding vector. */
    EMBEDDING
  }

  public OutputSchema {
    labels = List.copyOf(labels);
  }

  /** The output columns the model's results go into. */
  public List<String> resultColumns() {
    return switch (written) {
      case LABEL -> List.of(LABEL);
      case LABEL_AND_PROBABILITIES -> List.of(LABEL, PROBABILITIES);
      case SCORE -> List.of(SCORE);
      case EMBEDDING -> List.of(EMBEDDING);
    };
  }

  /** Every output column in order: id, text, pair, then the results. */
  public List<String> columnNames() {
    List<String> out = new ArrayList<>();
    if (columns.id() != null) out.add(columns.id());
    out.add(columns.text());
    if (columns.pair() != null) out.add(columns.pair());
    out.addAll(resultColumns());
    return out;
  }

  /** The predicted label: the first maximum of the logits (numpy's argmax), by name. */
  public String label(float[] logits) {
    int best = 0;
    for (int c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    return labels.get(best);
  }

  /** Softmax of the logits, in double for the sums. */
  public static float[] probabilities(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) max = Math.max(max, v);
    double sum = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = Math.exp(logits[i] - max);
      sum += e[i];
    }
    float[] p = new float[e.length];
    for (int i = 0; i < p.length; i++) p[i] = (float) (e[i] / sum);
    return p;
  }
}
