package org.tinybert.report;

import static org.tinybert.run.MetricsRound.DEV;
import static org.tinybert.run.MetricsRound.EPOCH;
import static org.tinybert.run.MetricsRound.EXAMPLES;
import static org.tinybert.run.MetricsRound.EXAMPLES_PER_SECOND;
import static org.tinybert.run.MetricsRound.LEARNING_RATE;
import static org.tinybert.run.MetricsRound.PROBE_ATTENTION;
import static org.tinybert.run.MetricsRound.PROBE_EMBEDDING;
import static org.tinybert.run.MetricsRound.PROBE_HIDDEN;
import static org.tinybert.run.MetricsRound.PROBE_TOTAL;
import static org.tinybert.run.MetricsRound.ROUND_SECONDS;
import static org.tinybert.run.MetricsRound.TRAIN_LOSS;
import static org.tinybert.run.RunManifest.FINISHED_AT;
import static org.tinybert.run.RunManifest.RESUMED_AT_ROUND;
import static org.tinybert.run.RunManifest.RUN_ID;
import static org.tinybert.run.RunManifest.SPARK_APPLICATION_ID;
import static org.tinybert.run.RunManifest.SPARK_MASTER;
import static org.tinybert.run.RunManifest.STARTED_AT;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.tinybert.run.RunFiles;

/**
 * The Markdown of a report: per stage, a summary table (job, run id, dates, rounds, first, last and lowest losses,
 * throughput, best dev score), the key settings, a table of rounds and the figures. Losses and metrics are printed with
 * 4 decimals, examples per second with 1, learning rates as {@code %.2e}.
 */
final class ReportMarkdown {
  /** Rows of the rounds table at most; longer runs are sampled evenly, the first, last and best rounds kept. */
  static final int MAX_ROWS = 25;

  /** Settings worth a line, each with where the manifests of the different jobs keep it. */
  private static final List<Setting> SETTINGS = List.of(
      new Setting("task", "/task"),
      new Setting("teacher", "/teacher/path", "/inputs/teacher", "/settings/teacher"),
      new Setting("student (initial weights)", "/inputs/student", "/inputs/model", "/settings/student/dir"),
      new Setting("student size", "/settings/student", "/student"),
      new Setting("training data", "/inputs/train", "/settings/corpus"),
      new Setting("training examples", "/train_examples", "/instances/counts/instances"),
      new Setting("max sequence length", "/inputs/max_seq_length", "/settings/maxSeqLength"),
      new Setting("layer mapping", "/settings/layerMapping"),
      new Setting("loss weights", "/losses"),
      new Setting("epochs", "/training/epochs", "/settings/training/epochs"),
      new Setting("batch size per worker", "/training/batchSize", "/settings/training/batchSize"),
      new Setting("workers", "/plan/workers"),
      new Setting("minibatches between averagings", "/plan/averagingFrequency"),
      new Setting("learning rate", "/training/learningRate", "/settings/training/learningRate"),
      new Setting("schedule", "/training/schedule", "/settings/training/schedule"),
      new Setting("warmup proportion", "/training/warmupProportion", "/settings/training/warmupProportion"),
      new Setting("optimizer", "/training/optimizer", "/settings/training/optimizer"),
      new Setting("weight decay", "/training/weightDecay", "/settings/training/weightDecay"),
      new Setting("seed", "/training/seed", "/settings/training/seed"));

  private record Setting(String label, String... pointers) {}

  private ReportMarkdown() {}

  static String write(RunReport report, List<List<ReportCharts.Figure>> figures) {
    StringBuilder md = new StringBuilder("# Training report\n\n");
    md.append("Run directory: `").append(report.run()).append("`\n\n");
    List<String> jobs = report.stages().stream().map(StageRun::job).toList();
    md.append("Stages: ").append(String.join(", then ", jobs)).append(".\n\n");
    for (String note : report.notes()) md.append(note).append("\n\n");
    for (int i = 0; i < report.stages().size(); i++) stage(md, report.stages().get(i), figures.get(i));
    return md.toString();
  }

  private static void stage(StringBuilder md, StageRun s, List<ReportCharts.Figure> figures) {
    JsonNode m = s.manifest();
    List<RoundRecord> rounds = s.rounds();
    RoundRecord first = rounds.get(0);
    RoundRecord last = s.last();
    md.append("## ").append(s.job()).append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "job", s.job());
    row(md, "run id", text(m, "/" + RUN_ID));
    row(md, "directory", "`" + s.dir() + "`");
    row(md, "started", text(m, "/" + STARTED_AT));
    row(md, "finished", finished(m));
    if (m.path(RESUMED_AT_ROUND).asLong(0) > 0) row(md, "resumed at round", text(m, "/" + RESUMED_AT_ROUND));
    if (m.has(SPARK_MASTER)) {
      row(md, "Spark", text(m, "/" + SPARK_MASTER) + ", " + text(m, "/" + SPARK_APPLICATION_ID));
    }
    row(md, "rounds", String.format(Locale.ROOT, "%d (round %d to %d): %d optimiser steps, %d examples, epoch %s",
        rounds.size(), first.round(), last.round(), last.step(), (long) last.number(EXAMPLES),
        last.has(EPOCH) ? String.valueOf((long) last.number(EPOCH)) : "?"));
    for (String key : List.of(TRAIN_LOSS, PROBE_TOTAL, PROBE_ATTENTION, PROBE_EMBEDDING, PROBE_HIDDEN)) {
      if (s.recorded(key)) row(md, key.replace('_', ' '), curve(rounds, key));
    }
    throughput(s).ifPresent(t -> row(md, "throughput", t));
    s.bestDev().ifPresent(b -> row(md, "best dev", String.format(Locale.ROOT, "%s %s at step %d (%s); all: %s",
        b.metric(), f4(b.value()), b.step(), b.source(), metrics(b.metrics()))));
    for (int i = rounds.size() - 1; i >= 0; i--) {
      if (rounds.get(i).has(DEV)) {
        row(md, "last dev", String.format(Locale.ROOT, "%s at step %d", metrics(rounds.get(i).dev()),
            rounds.get(i).step()));
        break;
      }
    }
    md.append('\n');

    md.append("### Settings\n\n| setting | value |\n|---|---|\n");
    for (Setting st : SETTINGS) {
      for (String p : st.pointers()) {
        JsonNode v = m.at(JsonPointer.compile(p));
        if (!v.isMissingNode() && !v.isNull()) {
          row(md, st.label(), compact(v));
          break;
        }
      }
    }
    md.append('\n');

    rounds(md, s);

    if (!figures.isEmpty()) md.append("### Figures\n\n");
    for (ReportCharts.Figure f : figures) {
      md.append("![").append(s.job()).append(": ").append(f.title()).append("](").append(f.file()).append(")\n\n");
    }
  }

  private static void rounds(StringBuilder md, StageRun s) {
    List<RoundRecord> rounds = s.rounds();
    Optional<String> primary = s.primaryMetric().filter(p -> s.recorded(DEV));
    boolean probe = s.recorded(PROBE_TOTAL);
    List<String> head = new ArrayList<>(List.of("round", "epoch", "step", "examples", "train loss"));
    if (probe) head.add("probe total");
    primary.ifPresent(p -> head.add("dev " + p));
    head.addAll(List.of("learning rate", "examples/s"));
    List<Integer> rows = sample(s);
    md.append("### Rounds");
    if (rows.size() < rounds.size()) {
      md.append(" (").append(rows.size()).append(" of ").append(rounds.size()).append(')');
    }
    md.append("\n\n| ").append(String.join(" | ", head)).append(" |\n|");
    md.append("---:|".repeat(head.size())).append('\n');
    for (int i : rows) {
      RoundRecord r = rounds.get(i);
      List<String> cells = new ArrayList<>(List.of(String.valueOf(r.round()), integer(r, EPOCH),
          String.valueOf(r.step()), integer(r, EXAMPLES), f4(r.number(TRAIN_LOSS))));
      if (probe) cells.add(f4(r.number(PROBE_TOTAL)));
      primary.ifPresent(p -> {
        Double v = r.dev().get(p);
        cells.add(v == null ? "" : f4(v) + (r.newBest() ? " (best so far)" : ""));
      });
      cells.add(r.has(LEARNING_RATE) ? String.format(Locale.ROOT, "%.2e", r.number(LEARNING_RATE)) : "");
      cells.add(r.has(EXAMPLES_PER_SECOND) ? f1(r.number(EXAMPLES_PER_SECOND)) : "");
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    md.append('\n');
  }

  /**
   * Indices of the rounds to show: all, or at most {@value #MAX_ROWS} spread evenly from the first to the last, the
   * round of the best dev score among them.
   */
  static List<Integer> sample(StageRun s) {
    int n = s.rounds().size();
    TreeSet<Integer> rows = new TreeSet<>();
    if (n <= MAX_ROWS) {
      for (int i = 0; i < n; i++) rows.add(i);
      return List.copyOf(rows);
    }
    int best = -1;
    if (s.bestDev().isPresent()) {
      for (int i = 0; i < n; i++) if (s.rounds().get(i).step() == s.bestDev().get().step()) best = i;
    }
    int even = best >= 0 ? MAX_ROWS - 1 : MAX_ROWS;
    for (int i = 0; i < even; i++) rows.add((int) Math.round((double) i * (n - 1) / (even - 1)));
    if (best >= 0) rows.add(best);
    return List.copyOf(rows);
  }

  /** first (round) → last (round); lowest at step. */
  private static String curve(List<RoundRecord> rounds, String key) {
    RoundRecord first = null;
    RoundRecord last = null;
    RoundRecord low = null;
    for (RoundRecord r : rounds) {
      double v = r.number(key);
      if (Double.isNaN(v)) continue;
      if (first == null) first = r;
      last = r;
      if (low == null || v < low.number(key)) low = r;
    }
    if (first == null) return "not recorded";
    return String.format(Locale.ROOT, "%s (round %d) → %s (round %d); lowest %s at step %d", f4(first.number(key)),
        first.round(), f4(last.number(key)), last.round(), f4(low.number(key)), low.step());
  }

  /**
   * Examples over the summed round times, which leave out start-up, checkpoints and dev scoring; and the last
   * recorded average since the run (re)started, which includes them.
   */
  private static Optional<String> throughput(StageRun s) {
    List<RoundRecord> rounds = s.rounds();
    double seconds = 0;
    for (RoundRecord r : rounds) seconds += r.has(ROUND_SECONDS) ? r.number(ROUND_SECONDS) : Double.NaN;
    long examples = (long) s.last().number(EXAMPLES);
    List<String> parts = new ArrayList<>();
    if (seconds > 0) {
      parts.add(String.format(Locale.ROOT, "%s examples/s while training (%d examples in %s of rounds)",
          f1(examples / seconds), examples, duration(seconds)));
    }
    if (s.last().has(EXAMPLES_PER_SECOND)) {
      parts.add("last recorded average " + f1(s.last().number(EXAMPLES_PER_SECOND)) + " examples/s");
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
  }

  private static String finished(JsonNode m) {
    if (!m.path(FINISHED_AT).isTextual()) {
      return "not finished (no " + FINISHED_AT + " in " + RunFiles.MANIFEST + ")";
    }
    String end = m.get(FINISHED_AT).asText();
    try {
      Duration d = Duration.between(Instant.parse(m.path(STARTED_AT).asText()), Instant.parse(end));
      return end + " (" + duration(d.toMillis() / 1000.0) + " after the start)";
    } catch (DateTimeParseException e) {
      return end;
    }
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) return "?";
    if (seconds < 120) return String.format(Locale.ROOT, "%.1f s", seconds);
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  private static String metrics(Map<String, Double> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(k + " " + f4(v)));
    return String.join(", ", out);
  }

  /** A JSON value on one line: objects as "key value, ...", arrays joined with commas. */
  private static String compact(JsonNode v) {
    if (v.isObject()) {
      List<String> out = new ArrayList<>();
      v.fields().forEachRemaining(e -> {
        JsonNode value = e.getValue();
        if (!value.isNull() && !value.isContainerNode()) out.add(e.getKey() + " " + compact(value));
      });
      return String.join(", ", out);
    }
    if (v.isArray()) {
      List<String> out = new ArrayList<>();
      v.forEach(e -> out.add(compact(e)));
      return String.join(", ", out);
    }
    return v.asText();
  }

  private static String text(JsonNode m, String pointer) {
    JsonNode v = m.at(JsonPointer.compile(pointer));
    return v.isMissingNode() || v.isNull() ? "?" : v.asText();
  }

  private static String integer(RoundRecord r, String key) {
    return r.has(key) ? String.valueOf((long) r.number(key)) : "";
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|").replace("\n", " ")).append(" |\n");
  }

  static String f4(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
  }

  static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
