package org.tinybert.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a run's {@code metrics.jsonl}: what one averaging round recorded. Every job records {@code round},
 * {@code epoch}, {@code step} (optimiser steps so far), {@code examples}, {@code train_loss},
 * {@code examples_per_second} (since this run started or resumed), {@code round_seconds} and {@code learning_rate};
 * general distillation and task distillation's intermediate stage add the probe batch's losses ({@code probe_total},
 * ..., {@code probe_attention_per_layer}, {@code probe_hidden_per_layer}); GLUE stages that score dev add
 * {@code dev} (metric name to value) and {@code new_best}.
 *
 * @param line the 1-based line of the file, for messages
 * @param values the record as read; its numeric fields were checked to be numbers (or Jackson's "NaN", "Infinity")
 */
public record RoundRecord(long line, JsonNode values) {

  public long round() {
    return values.get("round").asLong();
  }

  public long step() {
    return values.get("step").asLong();
  }

  public boolean has(String key) {
    JsonNode v = values.get(key);
    return v != null && !v.isNull();
  }

  /** The number under {@code key}, NaN when absent. */
  public double number(String key) {
    return has(key) ? values.get(key).asDouble() : Double.NaN;
  }

  /** The array of numbers under {@code key}, empty when absent. */
  public double[] numbers(String key) {
    JsonNode a = values.path(key);
    double[] out = new double[a.isArray() ? a.size() : 0];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
    return out;
  }

  /** The dev metrics scored after this round, in the order recorded; empty when dev was not scored. */
  public Map<String, Double> dev() {
    Map<String, Double> out = new LinkedHashMap<>();
    values.path("dev").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  /** Whether this round's dev score became the best kept in {@code best/}. */
  public boolean newBest() {
    return values.path("new_best").asBoolean(false);
  }
}
