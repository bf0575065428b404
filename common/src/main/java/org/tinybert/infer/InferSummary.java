package org.tinybert.infer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What a run of {@code infer} did, as its manifest records it ({@code summary}) and the command prints it.
 *
 * @param runId the run's id
 * @param output the output directory
 * @param manifest the manifest beside it
 * @param inputFormat how the input was read
 * @param outputFormat the parts' format
 * @param written what each example got ({@link OutputSchema.Written}, lower case)
 * @param parts parts of the output (units of the plan)
 * @param partsScored parts this run scored
 * @param partsReused parts committed by an earlier, interrupted run and kept
 * @param rows data rows of the input, bad ones included
 * @param examples rows scored (rows of the output)
 * @param skipped bad rows skipped
 * @param skippedByKind skipped rows by {@link BadRowKind#key()}
 * @param badRows the first skipped rows, {@code file:line: reason} (Parquet: {@code file: row N: reason})
 * @param examplesScored examples this run scored
 * @param seconds wall time of this run
 * @param scoringSeconds wall time of this run's Spark job that scored the parts (model loading included)
 * @param examplesPerSecond {@code examplesScored / scoringSeconds}
 * @param taskSeconds time the scoring tasks took, summed
 * @param alreadyDone true when the output was already finished for these settings and inputs: nothing ran, and the
 *     numbers are those of the run that made it
 */
public record InferSummary(
    @JsonProperty("run_id") String runId,
    @JsonProperty("output") String output,
    @JsonProperty("manifest") String manifest,
    @JsonProperty("input_format") String inputFormat,
    @JsonProperty("output_format") String outputFormat,
    @JsonProperty("written") String written,
    @JsonProperty("parts") long parts,
    @JsonProperty("parts_scored") long partsScored,
    @JsonProperty("parts_reused") long partsReused,
    @JsonProperty("rows") long rows,
    @JsonProperty("examples") long examples,
    @JsonProperty("skipped") long skipped,
    @JsonProperty("skipped_by_kind") Map<String, Long> skippedByKind,
    @JsonProperty("bad_rows") List<String> badRows,
    @JsonProperty("examples_scored") long examplesScored,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("scoring_seconds") double scoringSeconds,
    @JsonProperty("examples_per_second") double examplesPerSecond,
    @JsonProperty("task_seconds") double taskSeconds,
    @JsonProperty("already_done") boolean alreadyDone) implements Serializable {

  public InferSummary {
    skippedByKind = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(skippedByKind));
    badRows = List.copyOf(badRows);
  }

  /** The same summary, marked as found finished by a later run. */
  public InferSummary asAlreadyDone() {
    return new InferSummary(runId, output, manifest, inputFormat, outputFormat, written, parts, partsScored,
        partsReused, rows, examples, skipped, skippedByKind, badRows, examplesScored, seconds, scoringSeconds,
        examplesPerSecond, taskSeconds, true);
  }
}
