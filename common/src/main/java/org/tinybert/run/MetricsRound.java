package org.tinybert.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One line of {@value RunFiles#METRICS}: what one averaging round recorded (schema
 * {@code docs/schema/metrics-round.v1.schema.json}). Every job records the round's counts, its training loss, its
 * timings and the learning rate; a run with a probe batch adds the probe's losses ({@link Probe}); a GLUE stage that
 * scored dev after the round adds {@code dev} and, for a new best, {@code new_best}. Absent fields are null and are
 * not written; files of older builds, which lack the later timings, read with those null.
 *
 * @param round averaging rounds so far (1-based)
 * @param epoch the epoch the round belongs to (1-based)
 * @param step optimiser steps so far
 * @param examples training examples seen so far
 * @param trainLoss the mean training loss over the round's minibatches
 * @param examplesPerSecond since this run started or resumed
 * @param roundSeconds wall time of the round
 * @param stepSeconds of that, the workers' optimiser steps (mean)
 * @param fixedSeconds of that, what the round cost beyond its slowest worker's steps
 * @param etaSeconds the time left at {@code examplesPerSecond}
 * @param learningRate at {@code step}
 * @param dev the dev metrics by name, in the order scored; null when dev was not scored after this round
 * @param newBest true when this round's dev score became the best kept; null otherwise (never written false)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({MetricsRound.ROUND, MetricsRound.EPOCH, MetricsRound.STEP, MetricsRound.EXAMPLES,
    MetricsRound.TRAIN_LOSS, MetricsRound.EXAMPLES_PER_SECOND, MetricsRound.ROUND_SECONDS, MetricsRound.STEP_SECONDS,
    MetricsRound.FIXED_SECONDS, MetricsRound.ETA_SECONDS, MetricsRound.LEARNING_RATE, MetricsRound.PROBE_TOTAL,
    MetricsRound.PROBE_ATTENTION, MetricsRound.PROBE_EMBEDDING, MetricsRound.PROBE_HIDDEN,
    MetricsRound.PROBE_ATTENTION_PER_LAYER, MetricsRound.PROBE_HIDDEN_PER_LAYER, MetricsRound.DEV,
    MetricsRound.NEW_BEST})
public record MetricsRound(
    @JsonProperty(ROUND) long round,
    @JsonProperty(EPOCH) Long epoch,
    @JsonProperty(STEP) long step,
    @JsonProperty(EXAMPLES) Long examples,
    @JsonProperty(TRAIN_LOSS) Double trainLoss,
    @JsonProperty(EXAMPLES_PER_SECOND) Double examplesPerSecond,
    @JsonProperty(ROUND_SECONDS) Double roundSeconds,
    @JsonProperty(STEP_SECONDS) Double stepSeconds,
    @JsonProperty(FIXED_SECONDS) Double fixedSeconds,
    @JsonProperty(ETA_SECONDS) Double etaSeconds,
    @JsonProperty(LEARNING_RATE) Double learningRate,
    @JsonProperty(PROBE_TOTAL) Double probeTotal,
    @JsonProperty(PROBE_ATTENTION) Double probeAttention,
    @JsonProperty(PROBE_EMBEDDING) Double probeEmbedding,
    @JsonProperty(PROBE_HIDDEN) Double probeHidden,
    @JsonProperty(PROBE_ATTENTION_PER_LAYER) double[] probeAttentionPerLayer,
    @JsonProperty(PROBE_HIDDEN_PER_LAYER) double[] probeHiddenPerLayer,
    @JsonProperty(DEV) Map<String, Double> dev,
    @JsonProperty(NEW_BEST) Boolean newBest) {

  public static final String ROUND = "round";
  public static final String EPOCH = "epoch";
  public static final String STEP = "step";
  public static final String EXAMPLES = "examples";
  public static final String TRAIN_LOSS = "train_loss";
  public static final String EXAMPLES_PER_SECOND = "examples_per_second";
  public static final String ROUND_SECONDS = "round_seconds";
  public static final String STEP_SECONDS = "step_seconds";
  public static final String FIXED_SECONDS = "fixed_seconds";
  public static final String ETA_SECONDS = "eta_seconds";
  public static final String LEARNING_RATE = "learning_rate";
  public static final String PROBE_TOTAL = "probe_total";
  public static final String PROBE_ATTENTION = "probe_attention";
  public static final String PROBE_EMBEDDING = "probe_embedding";
  public static final String PROBE_HIDDEN = "probe_hidden";
  public static final String PROBE_ATTENTION_PER_LAYER = "probe_attention_per_layer";
  public static final String PROBE_HIDDEN_PER_LAYER = "probe_hidden_per_layer";
  public static final String DEV = "dev";
  public static final String NEW_BEST = "new_best";

  /** The fields that hold one number, by name, for readers that pick a series by its name (a report's curves). */
  public static final Map<String, Function<MetricsRound, Double>> NUMBERS = numbers();
  /** The fields that hold one number per layer, by name. */
  public static final Map<String, Function<MetricsRound, double[]>> PER_LAYER = Map.of(
      PROBE_ATTENTION_PER_LAYER, MetricsRound::probeAttentionPerLayer,
      PROBE_HIDDEN_PER_LAYER, MetricsRound::probeHiddenPerLayer);
  /** The fields a reader needs in every line. */
  public static final List<String> REQUIRED = List.of(ROUND, STEP);

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The probe batch's distillation losses after the round (TinyBERT's attention, embedding and hidden-state losses).
   *
   * @param attentionPerLayer one per student layer
   * @param hiddenPerLayer the embeddings', then one per student layer
   */
  public record Probe(double total, double attention, double embedding, double hidden, double[] attentionPerLayer,
      double[] hiddenPerLayer) {}

  /** A round as every job records it, before any probe or dev scoring. */
  public static MetricsRound of(long round, long epoch, long step, long examples, double trainLoss,
      double examplesPerSecond, double roundSeconds, double stepSeconds, double fixedSeconds, double etaSeconds,
      double learningRate) {
    return new MetricsRound(round, epoch, step, examples, trainLoss, examplesPerSecond, roundSeconds, stepSeconds,
        fixedSeconds, etaSeconds, learningRate, null, null, null, null, null, null, null, null);
  }

  public MetricsRound withProbe(Probe p) {
    return new MetricsRound(round, epoch, step, examples, trainLoss, examplesPerSecond, roundSeconds, stepSeconds,
        fixedSeconds, etaSeconds, learningRate, p.total(), p.attention(), p.embedding(), p.hidden(),
        p.attentionPerLayer(), p.hiddenPerLayer(), dev, newBest);
  }

  /** With the dev metrics scored after the round; {@code newBest} when they became the best kept. */
  public MetricsRound withDev(Map<String, Double> metrics, boolean newBest) {
    return new MetricsRound(round, epoch, step, examples, trainLoss, examplesPerSecond, roundSeconds, stepSeconds,
        fixedSeconds, etaSeconds, learningRate, probeTotal, probeAttention, probeEmbedding, probeHidden,
        probeAttentionPerLayer, probeHiddenPerLayer, metrics, newBest ? Boolean.TRUE : null);
  }

  /** Whether the round became the best dev score kept. */
  public boolean isNewBest() {
    return Boolean.TRUE.equals(newBest);
  }

  /** The line of {@value RunFiles#METRICS}, without its newline. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a metrics round: " + e.getMessage(), e);
    }
  }

  /** One line of {@value RunFiles#METRICS}. */
  public static MetricsRound parse(String line) throws JsonProcessingException {
    return JSON.readValue(line, MetricsRound.class);
  }

  /** A line already parsed (and checked by the caller, who names file and line in its messages). */
  public static MetricsRound of(JsonNode line) throws JsonProcessingException {
    return JSON.treeToValue(line, MetricsRound.class);
  }

  private static Map<String, Function<MetricsRound, Double>> numbers() {
    Map<String, Function<MetricsRound, Double>> m = new LinkedHashMap<>();
    m.put(ROUND, r -> (double) r.round());
    m.put(EPOCH, r -> r.epoch() == null ? null : r.epoch().doubleValue());
    m.put(STEP, r -> (double) r.step());
    m.put(EXAMPLES, r -> r.examples() == null ? null : r.examples().doubleValue());
    m.put(TRAIN_LOSS, MetricsRound::trainLoss);
    m.put(EXAMPLES_PER_SECOND, MetricsRound::examplesPerSecond);
    m.put(ROUND_SECONDS, MetricsRound::roundSeconds);
    m.put(STEP_SECONDS, MetricsRound::stepSeconds);
    m.put(FIXED_SECONDS, MetricsRound::fixedSeconds);
    m.put(ETA_SECONDS, MetricsRound::etaSeconds);
    m.put(LEARNING_RATE, MetricsRound::learningRate);
    m.put(PROBE_TOTAL, MetricsRound::probeTotal);
    m.put(PROBE_ATTENTION, MetricsRound::probeAttention);
    m.put(PROBE_EMBEDDING, MetricsRound::probeEmbedding);
    m.put(PROBE_HIDDEN, MetricsRound::probeHidden);
    return Collections.unmodifiableMap(m);
  }
}
