package org.tinybert.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@value RunFiles#MANIFEST} of a training run (schema {@code docs/schema/manifest.v1.schema.json}): the top level
 * every training job writes, in this order, with the job's own fields (its inputs, settings and model sizes) after
 * {@link #ENGINE}, and its outcome fields ({@code final_model}, {@code best}, ...) after {@link #EXAMPLES_SEEN}.
 *
 * <p>Spelling, as files users already have are spelled (kept for them, not tidied): the top level and a GLUE stage's
 * {@code inputs} are snake_case ({@code max_seq_length}); the settings records inside (general-distill's
 * {@code settings}, a GLUE stage's {@code training} and {@code losses}, and {@code plan}) carry Java's camelCase
 * component names ({@code batchSize}, {@code maxSeqLength}), as augment's manifest does; infer's manifest instead
 * records its settings under their config keys in kebab-case ({@code batch-size}, {@code max-seq-length}). The
 * report looks a setting up under every spelling a job has written.
 */
public final class RunManifest {
  public static final String JOB = "job";
  public static final String RUN_ID = "run_id";
  public static final String STARTED_AT = "started_at";
  public static final String SPARK_APPLICATION_ID = "spark_application_id";
  public static final String SPARK_MASTER = "spark_master";
  public static final String RESUMED_AT_ROUND = "resumed_at_round";
  public static final String ENGINE = "engine";
  public static final String PLAN = "plan";
  public static final String VERSIONS = "versions";
  public static final String ROUND_BYTES_PER_WORKER = "round_bytes_per_worker";
  public static final String FINISHED_AT = "finished_at";
  public static final String ROUNDS = "rounds";
  public static final String EXAMPLES_SEEN = "examples_seen";
  /** Outcome: the final model's directory (GLUE stages; general-distill records it as {@code student}). */
  public static final String FINAL_MODEL = "final_model";
  /** Outcome of a GLUE stage that scores dev: the best checkpoint's directory. */
  public static final String BEST = "best";
  /** Outcome of a GLUE stage that scores dev: the best checkpoint's metrics by name. */
  public static final String BEST_METRICS = "best_metrics";
  /** The fields a reader needs (files of every build have them). */
  public static final List<String> REQUIRED = List.of(JOB, RUN_ID, STARTED_AT);

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> fields = new LinkedHashMap<>();

  private RunManifest() {}

  /**
   * The manifest a run writes before its first round.
   *
   * @param engine the engine setting, what it resolved to on the driver and ND4J's backend
   */
  public static RunManifest start(String job, String runId, Instant startedAt, String sparkApplicationId,
      String sparkMaster, long resumedAtRound, Map<String, ?> engine) {
    RunManifest m = new RunManifest();
    m.fields.put(JOB, job);
    m.fields.put(RUN_ID, runId);
    m.fields.put(STARTED_AT, startedAt.toString());
    m.fields.put(SPARK_APPLICATION_ID, sparkApplicationId);
    m.fields.put(SPARK_MASTER, sparkMaster);
    m.fields.put(RESUMED_AT_ROUND, resumedAtRound);
    m.fields.put(ENGINE, engine);
    return m;
  }

  /** Adds the job's own fields, in their order; values as Jackson writes them. */
  public RunManifest withJobFields(Map<String, ?> jobFields) {
    fields.putAll(jobFields);
    return this;
  }

  /**
   * @param plan the split of the work, as JSON
   * @param versions of Java, Spark and tinybert
   */
  public RunManifest withRuntime(JsonNode plan, Map<String, ?> versions, long roundBytesPerWorker) {
    fields.put(PLAN, plan);
    fields.put(VERSIONS, versions);
    fields.put(ROUND_BYTES_PER_WORKER, roundBytesPerWorker);
    return this;
  }

  /** Marks the run finished; the outcome fields follow ({@link #put}). */
  public RunManifest finished(Instant finishedAt, long rounds, long examplesSeen) {
    fields.put(FINISHED_AT, finishedAt.toString());
    fields.put(ROUNDS, rounds);
    fields.put(EXAMPLES_SEEN, examplesSeen);
    return this;
  }

  /** A job's outcome field (e.g. {@code final_model}); a key already there keeps its place and takes the value. */
  public RunManifest put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** The fields in the order written. */
  public Map<String, Object> fields() {
    return Collections.unmodifiableMap(fields);
  }

  /** The file's bytes (indented; no trailing newline). */
  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + RunFiles.MANIFEST + ": " + e.getMessage(), e);
    }
  }

  /**
   * The top level as read back; a manifest of a run not yet finished has no {@code finishedAt}, {@code rounds} or
   * {@code examplesSeen}, and one of an older build no {@code engine}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Header(
      @JsonProperty(JOB) String job,
      @JsonProperty(RUN_ID) String runId,
      @JsonProperty(STARTED_AT) String startedAt,
      @JsonProperty(SPARK_APPLICATION_ID) String sparkApplicationId,
      @JsonProperty(SPARK_MASTER) String sparkMaster,
      @JsonProperty(RESUMED_AT_ROUND) Long resumedAtRound,
      @JsonProperty(ENGINE) Map<String, Object> engine,
      @JsonProperty(FINISHED_AT) String finishedAt,
      @JsonProperty(ROUNDS) Long rounds,
      @JsonProperty(EXAMPLES_SEEN) Long examplesSeen) {

    public Optional<String> finished() {
      return Optional.ofNullable(finishedAt);
    }
  }

  /** The top level of a manifest already parsed (the job's own fields stay in the tree). */
  public static Header header(JsonNode manifest) throws JsonProcessingException {
    return JSON.treeToValue(manifest, Header.class);
  }

  public static Header header(byte[] manifest) throws java.io.IOException {
    return JSON.readValue(manifest, Header.class);
  }
}
