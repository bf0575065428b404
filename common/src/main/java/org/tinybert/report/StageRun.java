package org.tinybert.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.run.EvalRecord;
import org.tinybert.run.MetricsRound;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunManifest;

/**
 * One training stage's records read back from its directory: {@code manifest.json}, {@code metrics.jsonl} and, for
 * GLUE stages that score dev, {@code best/eval.json}. A general-distill or finetune-teacher output is one stage; a
 * task-distill output of both stages is two ({@link RunReport}).
 *
 * @param dir the stage's directory
 * @param manifest the manifest, an object with at least {@code job}
 * @param rounds the recorded rounds in file order, at least one
 * @param bestEval {@code best/eval.json} when present
 */
public record StageRun(Path dir, JsonNode manifest, List<RoundRecord> rounds, Optional<EvalRecord> bestEval) {
  /** Fields that must be numbers whenever a round records them. */
  private static final List<String> NUMBERS = List.copyOf(MetricsRound.NUMBERS.keySet());
  private static final List<String> NUMBER_ARRAYS = List.copyOf(MetricsRound.PER_LAYER.keySet());
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  public StageRun {
    rounds = List.copyOf(rounds);
  }

  /**
   * Reads the stage in {@code dir}.
   *
   * @throws ReportInputException when a file is missing, empty or malformed (naming file and line)
   * @throws IOException when the file system fails
   */
  public static StageRun read(Path dir, Configuration conf) throws IOException {
    Path manifestFile = new Path(dir, RunFiles.MANIFEST);
    JsonNode manifest = readJson(manifestFile, conf);
    if (!manifest.path(RunManifest.JOB).isTextual()) {
      throw new ReportInputException(manifestFile.toString(), "has no \"job\" naming the job that wrote the run");
    }
    List<RoundRecord> rounds = readRounds(new Path(dir, RunFiles.METRICS), conf);
    Path eval = new Path(dir, RunFiles.BEST_EVAL);
    Optional<JsonNode> best = HadoopIO.exists(eval, conf) ? Optional.of(readJson(eval, conf)) : Optional.empty();
    if (best.isPresent() && !number(best.get().path(EvalRecord.PRIMARY))) {
      throw new ReportInputException(eval.toString(), "expected a number \"primary\" (the best dev score), found "
          + best.get().path(EvalRecord.PRIMARY));
    }
    Optional<EvalRecord> bestEval = Optional.empty();
    if (best.isPresent()) {
      try {
        bestEval = Optional.of(EvalRecord.of(best.get()));
      } catch (JsonProcessingException e) {
        throw new ReportInputException(eval.toString(), "not an eval record: " + e.getOriginalMessage());
      }
    }
    return new StageRun(dir, manifest, rounds, bestEval);
  }

  /** The job that wrote the stage, e.g. {@code general-distill} or {@code task-distill intermediate}. */
  public String job() {
    return manifest.get(RunManifest.JOB).asText();
  }

  /** The job's name as a file-name prefix: {@code task-distill-intermediate}. */
  public String slug() {
    return job().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }

  public RoundRecord last() {
    return rounds.get(rounds.size() - 1);
  }

  /** Whether any round recorded {@code key}. */
  public boolean recorded(String key) {
    return rounds.stream().anyMatch(r -> r.has(key));
  }

  /**
   * The best dev score of a GLUE stage.
   *
   * @param metric the task's primary metric, which picks the best
   * @param value its value
   * @param step the optimiser step it was scored at
   * @param metrics every metric of that scoring
   * @param source where it was read: {@value RunFiles#BEST_EVAL}, or metrics.jsonl (its last {@code new_best} round)
   */
  public record BestDev(String metric, double value, long step, Map<String, Double> metrics, String source) {}

  /**
   * The metric that picks the best dev score: from {@value RunFiles#BEST_EVAL}, else the manifest's task, else the
   * first one recorded; empty when dev was never scored.
   */
  public Optional<String> primaryMetric() {
    if (bestEval.isPresent() && bestEval.get().primaryMetric() != null) {
      return Optional.of(bestEval.get().primaryMetric());
    }
    if (manifest.path("task").isTextual()) {
      try {
        return Optional.of(GlueTask.byName(manifest.get("task").asText()).primaryMetric());
      } catch (IllegalArgumentException unknownTask) {
        // a task this version does not know: fall back on the recorded metrics
      }
    }
    return rounds.stream().flatMap(r -> r.dev().keySet().stream()).findFirst();
  }

  /**
   * The best dev score: {@value RunFiles#BEST_EVAL} when present, else the last round that recorded
   * {@code new_best}.
   */
  public Optional<BestDev> bestDev() {
    if (bestEval.isPresent()) {
      EvalRecord e = bestEval.get();
      String metric = primaryMetric().orElse("primary");
      return Optional.of(new BestDev(metric, e.primary(), e.step(), new LinkedHashMap<>(e.metrics()),
          RunFiles.BEST_EVAL));
    }
    Optional<String> metric = primaryMetric();
    RoundRecord best = null;
    for (RoundRecord r : rounds) if (r.newBest() && metric.isPresent() && r.dev().containsKey(metric.get())) best = r;
    if (best == null) return Optional.empty();
    return Optional.of(new BestDev(metric.get(), best.dev().get(metric.get()), best.step(), best.dev(),
        RunFiles.METRICS + " line " + best.line()));
  }

  /** A JSON object file, whole. */
  static JsonNode readJson(Path file, Configuration conf) throws IOException {
    byte[] bytes;
    try {
      bytes = HadoopIO.readAll(file, conf);
    } catch (FileNotFoundException e) {
      throw missing(file);
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      throw new ReportInputException(file.toString(), "the file is empty");
    }
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw malformed(file.toString(), e);
    }
    if (!n.isObject()) {
      throw new ReportInputException(file.toString(), "expected a JSON object, found " + kind(n));
    }
    return n;
  }

  /** metrics.jsonl: one JSON object per line, blank lines skipped (as {@link org.tinybert.io.RunLog} reads it). */
  static List<RoundRecord> readRounds(Path file, Configuration conf) throws IOException {
    String name = file.toString();
    List<RoundRecord> out = new ArrayList<>();
    InputStream in;
    try {
      in = HadoopIO.open(file, conf);
    } catch (FileNotFoundException e) {
      throw missing(file);
    }
    try (Utf8LineReader r = new Utf8LineReader(in)) {
      Utf8LineReader.Line line;
      while ((line = r.next()) != null) {
        if (!line.valid()) throw new ReportInputException(name, line.number(), line.encodingError());
        if (line.text().isBlank()) continue;
        JsonNode n;
        try {
          n = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
          throw new ReportInputException(name, line.number(), "malformed JSON: " + e.getOriginalMessage());
        }
        if (!n.isObject()) {
          throw new ReportInputException(name, line.number(), "expected a JSON object (one round), found " + kind(n));
        }
        check(name, line.number(), n);
        try {
          out.add(new RoundRecord(line.number(), MetricsRound.of(n)));
        } catch (JsonProcessingException e) {
          throw new ReportInputException(name, line.number(), "not a metrics round: " + e.getOriginalMessage());
        }
      }
    }
    if (out.isEmpty()) {
      throw new ReportInputException(name, "no rounds recorded (the file is empty): the run has not finished its "
          + "first averaging round");
    }
    return out;
  }

  private static void check(String file, long line, JsonNode n) {
    for (String key : MetricsRound.REQUIRED) {
      if (!n.path(key).canConvertToExactIntegral()) {
        throw new ReportInputException(file, line, "expected an integer \"" + key + "\", found "
            + (n.has(key) ? n.get(key).toString() : "none"));
      }
    }
    for (String key : NUMBERS) {
      JsonNode v = n.get(key);
      if (v != null && !v.isNull() && !number(v)) {
        throw new ReportInputException(file, line, "expected a number for \"" + key + "\", found " + v);
      }
    }
    for (String key : NUMBER_ARRAYS) {
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) continue;
      boolean ok = v.isArray();
      for (int i = 0; ok && i < v.size(); i++) ok = number(v.get(i));
      if (!ok) {
        throw new ReportInputException(file, line, "expected an array of numbers for \"" + key + "\", found " + v);
      }
    }
    JsonNode dev = n.get(MetricsRound.DEV);
    if (dev != null && !dev.isNull()) {
      boolean ok = dev.isObject();
      for (var it = dev.elements(); ok && it.hasNext(); ) ok = number(it.next());
      if (!ok) {
        throw new ReportInputException(file, line, "expected \"dev\" to map metric names to numbers, found " + dev);
      }
    }
  }

  /** A JSON number, or how Jackson writes a non-finite double ("NaN", "Infinity", "-Infinity"). */
  private static boolean number(JsonNode v) {
    if (v.isNumber()) return true;
    return v.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(v.asText());
  }

  private static String kind(JsonNode n) {
    String text = n.toString();
    return n.getNodeType().name().toLowerCase(Locale.ROOT) + " " + (text.length() > 60 ? text.substring(0, 60) + "..."
        : text);
  }

  private static ReportInputException missing(Path file) {
    return new ReportInputException(file.toString(), "no such file; a run directory (the output of general-distill, "
        + "finetune-teacher or task-distill) holds " + RunFiles.MANIFEST + " and " + RunFiles.METRICS);
  }

  private static ReportInputException malformed(String file, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String message = "malformed JSON: " + e.getOriginalMessage();
    return at != null && at.getLineNr() > 0 ? new ReportInputException(file, at.getLineNr(), message)
        : new ReportInputException(file, message);
  }
}
