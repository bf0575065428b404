package org.tinybert.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Map;

/**
 * {@value RunFiles#BEST_EVAL}: the dev metrics of a GLUE stage's best checkpoint, written beside it (schema
 * {@code docs/schema/eval.v1.schema.json}).
 *
 * @param task the task's name (a GLUE preset or a task file's)
 * @param primaryMetric the metric that picks the best
 * @param primary its value
 * @param metrics every metric of the scoring, in the task's order
 * @param devExamples the dev examples scored
 * @param epoch the epochs begun when it was scored (1-based; a finished run's last epoch)
 * @param step optimiser steps so far
 * @param round averaging rounds so far
 * @param examplesSeen training examples seen so far
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({EvalRecord.TASK, EvalRecord.PRIMARY_METRIC, EvalRecord.PRIMARY, EvalRecord.METRICS,
    EvalRecord.DEV_EXAMPLES, EvalRecord.EPOCH, EvalRecord.STEP, EvalRecord.ROUND, EvalRecord.EXAMPLES_SEEN})
public record EvalRecord(
    @JsonProperty(TASK) String task,
    @JsonProperty(PRIMARY_METRIC) String primaryMetric,
    @JsonProperty(PRIMARY) double primary,
    @JsonProperty(METRICS) Map<String, Double> metrics,
    @JsonProperty(DEV_EXAMPLES) long devExamples,
    @JsonProperty(EPOCH) long epoch,
    @JsonProperty(STEP) long step,
    @JsonProperty(ROUND) long round,
    @JsonProperty(EXAMPLES_SEEN) long examplesSeen) {

  public static final String TASK = "task";
  public static final String PRIMARY_METRIC = "primary_metric";
  public static final String PRIMARY = "primary";
  public static final String METRICS = "metrics";
  public static final String DEV_EXAMPLES = "dev_examples";
  public static final String EPOCH = "epoch";
  public static final String STEP = "step";
  public static final String ROUND = "round";
  public static final String EXAMPLES_SEEN = "examples_seen";

  // Indented, as eval.json has always been written (people read it).
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public EvalRecord {
    metrics = metrics == null ? Map.of() : metrics;
  }

  /** The file's bytes (UTF-8, no trailing newline). */
  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + RunFiles.EVAL + ": " + e.getMessage(), e);
    }
  }

  public static EvalRecord parse(byte[] bytes) throws IOException {
    return JSON.readValue(bytes, EvalRecord.class);
  }

  /** A file already parsed (and checked by the caller, who names the file in its messages). */
  public static EvalRecord of(JsonNode eval) throws JsonProcessingException {
    return JSON.treeToValue(eval, EvalRecord.class);
  }
}
