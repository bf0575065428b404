package org.tinybert.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.tinybert.run.MetricsRound;

/**
 * One line of a run's {@code metrics.jsonl} as the report reads it: the {@link MetricsRound} one averaging round
 * recorded, with its line for messages, and its fields also by name ({@link MetricsRound#NUMBERS},
 * {@link MetricsRound#PER_LAYER}) for the curves a report draws by name.
 *
 * @param line the 1-based line of the file, for messages
 * @param values the record as read; its numeric fields were checked to be numbers (or Jackson's "NaN", "Infinity")
 */
public record RoundRecord(long line, MetricsRound values) {

  public long round() {
    return values.round();
  }

  public long step() {
    return values.step();
  }

  /** Whether the round recorded the field {@code key} (a {@link MetricsRound} field name). */
  public boolean has(String key) {
    Function<MetricsRound, Double> n = MetricsRound.NUMBERS.get(key);
    if (n != null) return n.apply(values) != null;
    Function<MetricsRound, double[]> a = MetricsRound.PER_LAYER.get(key);
    if (a != null) return a.apply(values) != null;
    if (key.equals(MetricsRound.DEV)) return values.dev() != null;
    if (key.equals(MetricsRound.NEW_BEST)) return values.newBest() != null;
    throw new IllegalArgumentException("no field " + key + " in a metrics round");
  }

  /** The number under {@code key}, NaN when absent. */
  public double number(String key) {
    Function<MetricsRound, Double> n = MetricsRound.NUMBERS.get(key);
    if (n == null) throw new IllegalArgumentException("no number " + key + " in a metrics round");
    Double v = n.apply(values);
    return v == null ? Double.NaN : v;
  }

  /** The array of numbers under {@code key}, empty when absent. */
  public double[] numbers(String key) {
    Function<MetricsRound, double[]> a = MetricsRound.PER_LAYER.get(key);
    if (a == null) throw new IllegalArgumentException("no numbers per layer " + key + " in a metrics round");
    double[] v = a.apply(values);
    return v == null ? new double[0] : v.clone();
  }

  /** The dev metrics scored after this round, in the order recorded; empty when dev was not scored. */
  public Map<String, Double> dev() {
    return values.dev() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(values.dev());
  }

  /** Whether this round's dev score became the best kept in {@code best/}. */
  public boolean newBest() {
    return values.isNewBest();
  }
}
