package org.tinybert.scoring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.metrics.GlueMetrics;

/**
 * A model scored on a labelled GLUE split.
 *
 * @param metrics the task's metrics as {@link GlueMetrics#compute} names and orders them
 * @param predictions one per example, in example order
 */
public record GlueEvaluation(TaskDefinition task, Map<String, Double> metrics, List<GluePrediction> predictions) {

  public GlueEvaluation {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    predictions = List.copyOf(predictions);
  }

  /** The metric TinyBERT keeps the best checkpoint by ({@link GlueTask#primaryMetric()}). */
  public double primary() {
    return GlueMetrics.primary(task, metrics);
  }

  public int size() {
    return predictions.size();
  }
}
