package org.tinybert.glue;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.TableFormat;
import org.tinybert.settings.BadRows;
import org.tinybert.settings.Choice;

/**
 * A task defined by a HOCON file (keys at the top level, each described in {@code reference.conf} under
 * {@code tinybert.task-file}): where its splits are, how they are read, which columns hold the texts, the label and
 * the id, the kind, labels and metrics. {@link #load} validates the whole file and reports every problem at once, each
 * naming its key and its origin (file and line), before any job reads a row.
 *
 * @param taskName the file's name without its extension ({@code intents} for {@code conf/tasks/intents.conf})
 * @param source the task file as given, for messages
 * @param train the training table: a file, a directory of parts or a glob (relative paths are resolved against the
 *     task file's directory); null when absent
 * @param dev the dev table, or null
 * @param test the test table, or null
 * @param trainAug the augmented training table ({@code augment}'s output) that {@code task-distill} trains on when
 *     it exists and {@code use-augmented}; null when absent
 * @param format how the tables are read
 * @param text the first text's column
 * @param textPair the second text's column, or null for single-text tasks
 * @param label the gold label's column (a label name, or a number for regression); optional in test tables
 * @param id the column {@code predict} writes with each prediction, or null for the row's 0-based number
 * @param labels label names in classifier order; empty for regression, and for classification until
 *     {@link #withLabels} resolves them from the training set or a model's {@code id2label} ({@link #labelsGiven})
 * @param labelsGiven whether the file lists the labels
 * @param metricNames as named in the file: accuracy, f1, macro-f1, micro-f1, mcc (classification); pearson, spearman
 *     (regression)
 * @param primaryMetric {@code best-by}
 * @param positiveLabel the positive class of {@code f1}, or null
 * @param skipBadRows {@code bad-rows = skip}: skip (and count) bad rows instead of failing on the first
 */
public record TaskFile(String taskName, String source, String train, String dev, String test, String trainAug,
    // The constant's name (TSV, CSV, ...): how the manifests written so far record a task file's format.
    @JsonSerialize(using = ToStringSerializer.class) TableFormat format,
    String text, String textPair, String label, String id, OutputMode outputMode, List<String> labels,
    boolean labelsGiven, List<String> metricNames, String primaryMetric, String positiveLabel, int maxSeqLength,
    boolean skipBadRows) implements TaskDefinition {

  /** The keys a task file may have. */
  public static final List<String> KEYS = List.of("train", "dev", "test", "train-aug", "format", "text", "text-pair",
      "label", "id", "kind", "labels", "metrics", "positive-label", "best-by", "max-seq-length", "bad-rows");
  /** The formats a task file's tables may have: CSV, and no plain text (a task has columns). */
  public static final List<TableFormat> FORMATS = List.of(TableFormat.AUTO, TableFormat.TSV, TableFormat.CSV,
      TableFormat.JSONL, TableFormat.PARQUET);
  /** The metrics of a classification task, as a task file names them. */
  public static final List<String> CLASSIFICATION_METRICS = List.of("accuracy", "f1", "macro-f1", "micro-f1", "mcc");
  /** The metrics of a regression task. */
  public static final List<String> REGRESSION_METRICS = List.of("pearson", "spearman");
  /** The sequence length when the file names none. */
  public static final int DEFAULT_MAX_SEQ_LENGTH = 128;

  public TaskFile {
    labels = List.copyOf(labels);
    metricNames = List.copyOf(metricNames);
  }

  @Override
  public boolean isPairTask() {
    return textPair != null;
  }

  @Override
  public boolean skipsMalformedByDefault() {
    return skipBadRows;
  }

  @Override
  public String predictionFileName() {
    return taskName + ".tsv";
  }

  @Override
  public String predictionIdHeader() {
    return id == null ? "index" : id;
  }

  /** The table of a split ({@link Split#TRAIN_AUG}: {@code train-aug}), or null when the file names none. */
  public String path(Split split) {
    return switch (split) {
      case TRAIN -> train;
      case DEV -> dev;
      case TEST -> test;
      case TRAIN_AUG -> trainAug;
    };
  }

  /** The task key naming a split's table ({@code train}, {@code dev}, {@code test}). */
  public static String key(Split split) {
    return split == Split.TRAIN_AUG ? "train-aug" : split.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The task with its labels resolved (a file without {@code labels}): the order given is the classifier's. F1's
   * positive label must be one of them, and binary F1 needs exactly two.
   */
  public TaskFile withLabels(List<String> resolved) {
    if (outputMode == OutputMode.REGRESSION) throw new IllegalArgumentException(this + " is a regression task");
    if (resolved.size() < 2 || new HashSet<>(resolved).size() != resolved.size()) {
      throw new InputException("task file " + source + ": a classification task needs at least 2 distinct labels, "
          + "found " + resolved);
    }
    if (positiveLabel != null && (!resolved.contains(positiveLabel) || resolved.size() != 2)) {
      throw new InputException("task file " + source + ": positive-label '" + positiveLabel + "' (for binary f1) "
          + "needs exactly 2 labels, one of them '" + positiveLabel + "'; the labels are " + resolved);
    }
    return new TaskFile(taskName, source, train, dev, test, trainAug, format, text, textPair, label, id, outputMode,
        resolved, true, metricNames, primaryMetric, positiveLabel, maxSeqLength, skipBadRows);
  }

  /** Whether the labels are known (given in the file, resolved, or a regression task's none). */
  public boolean labelsKnown() {
    return outputMode == OutputMode.REGRESSION || !labels.isEmpty();
  }

  @Override
  public String toString() {
    return taskName + " (" + source + ")";
  }

  // ---------------------------------------------------------------- loading

  /** Reads and validates a task file from any Hadoop file system. */
  public static TaskFile load(Path file, Configuration conf) {
    if (!HadoopIO.exists(file, conf)) throw new InputException("task file " + file + " does not exist");
    Config c;
    try (Reader r = new InputStreamReader(HadoopIO.open(file, conf), StandardCharsets.UTF_8)) {
      c = ConfigFactory.parseReader(r, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setOriginDescription(file.toString()));
    } catch (ConfigException e) {
      throw new InputException("task file " + file + " is not HOCON: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new InputException("cannot read task file " + file + ": " + e.getMessage(), e);
    }
    return parse(c, file);
  }

  /**
   * Validates a parsed task file.
   *
   * @param file where it came from: names the task and resolves relative table paths
   * @throws TaskFileException listing every problem, each with its key and origin
   */
  public static TaskFile parse(Config raw, Path file) {
    Config c;
    try {
      c = raw.resolve();
    } catch (ConfigException e) {
      throw new TaskFileException(file.toString(), List.of(e.getMessage()));
    }
    Check k = new Check(c, file.toString());
    List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(c.root().entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> e.getValue().origin().lineNumber())
        .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, ConfigValue> e : entries) {
      if (!KEYS.contains(e.getKey())) {
        k.problem(e.getKey(), "unknown key " + e.getKey() + " (" + e.getValue().origin().description() + ")"
            + didYouMean(e.getKey()) + "; a task file has " + String.join(", ", KEYS));
      }
    }
    Path dir = file.getParent();
    String train = k.path("train", dir);
    String dev = k.path("dev", dir);
    String test = k.path("test", dir);
    String trainAug = k.path("train-aug", dir);
    if (train == null && dev == null && test == null && k.fine("train")) {
      k.problem("train", "a task file needs at least one of train, dev and test (" + file + ")");
    }
    String formatName = k.oneOf("format", TableFormat.AUTO.key(), FORMATS.stream().map(Choice::key).toList());
    TableFormat format = formatName == null ? TableFormat.AUTO
        : Choice.byKey(TableFormat.class, formatName).orElseThrow();
    String text = k.string("text", null, true);
    String textPair = k.string("text-pair", null, false);
    String label = k.string("label", null, true);
    String id = k.string("id", null, false);
    String kindName = k.oneOf("kind", null, List.of("classification", "regression"));
    OutputMode kind = kindName == null ? null : OutputMode.valueOf(kindName.toUpperCase(Locale.ROOT));
    if (text != null && text.equals(textPair)) k.fail("text-pair", "must differ from text", c.getValue("text-pair"));
    if (label != null && (label.equals(text) || label.equals(textPair))) {
      k.fail("label", "must differ from the text columns", c.getValue("label"));
    }

    List<String> labels = k.stringList("labels");
    boolean labelsGiven = c.hasPath("labels");
    if (kind == OutputMode.REGRESSION && labelsGiven) {
      k.fail("labels", "must be absent for kind = regression (a regression task has no labels)", c.getValue("labels"));
    } else if (kind == OutputMode.CLASSIFICATION && labelsGiven && k.fine("labels")
        && (labels.size() < 2 || new HashSet<>(labels).size() != labels.size())) {
      k.fail("labels", "must list at least 2 distinct labels (or be absent: the training set's, sorted)",
          c.getValue("labels"));
    }

    List<String> defaults = kind == OutputMode.REGRESSION ? REGRESSION_METRICS : List.of("accuracy");
    List<String> metrics = c.hasPath("metrics") ? k.stringList("metrics") : defaults;
    boolean metricsRead = k.fine("metrics");
    if (kind != null && metricsRead) {
      List<String> fitting = kind == OutputMode.REGRESSION ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
      for (String m : metrics) {
        if (!fitting.contains(m)) {
          k.fail("metrics", "holds '" + m + "', which " + (CLASSIFICATION_METRICS.contains(m)
              || REGRESSION_METRICS.contains(m) ? "does not fit kind = " + kindName : "is not a metric")
              + "; a " + kindName + " task's metrics are " + String.join(", ", fitting), c.getValue("metrics"));
          break;
        }
      }
      if (metrics.isEmpty()) k.fail("metrics", "must name at least one metric", c.getValue("metrics"));
      if (new LinkedHashSet<>(metrics).size() != metrics.size()) {
        k.fail("metrics", "must name each metric once", c.getValue("metrics"));
      }
    }
    String positive = k.string("positive-label", null, false);
    if (metrics.contains("f1")) {
      if (positive == null && k.fine("positive-label")) {
        k.problem("positive-label", "positive-label must be set: metrics has f1 (binary F1 of the positive label)"
            + " (" + c.getValue("metrics").origin().description() + ")");
      } else if (positive != null && labelsGiven && k.fine("labels")
          && (!labels.contains(positive) || labels.size() != 2)) {
        k.fail("positive-label", "must be one of exactly 2 labels for binary f1, the labels being " + labels,
            c.getValue("positive-label"));
      }
    } else if (positive != null && metricsRead) {
      k.fail("positive-label", "is only for metrics with f1", c.getValue("positive-label"));
    }
    String bestBy = k.string("best-by", metrics.isEmpty() ? null : metrics.get(0), false);
    if (bestBy != null && metricsRead && !metrics.isEmpty() && !metrics.contains(bestBy)) {
      k.fail("best-by", "must be one of the metrics " + metrics, c.getValue("best-by"));
    }
    int min = textPair == null ? 2 : 3;
    int maxSeqLength = k.intAtLeast("max-seq-length", DEFAULT_MAX_SEQ_LENGTH, min,
        textPair == null ? "[CLS] text [SEP]" : "[CLS] text [SEP] text-pair [SEP]");
    String badRows = k.oneOf("bad-rows", BadRows.FAIL.key(), BadRows.FAIL_OR_SKIP.stream().map(BadRows::key).toList());
    k.finish();
    String name = file.getName().replaceFirst("\\.(conf|hocon|json|properties)$", "");
    return new TaskFile(name, file.toString(), train, dev, test, trainAug, format, text, textPair, label, id,
        kind, labelsGiven ? labels : List.of(), labelsGiven, metrics, bestBy, positive, maxSeqLength,
        BadRows.SKIP.key().equals(badRows));
  }

  private static String didYouMean(String key) {
    String best = null;
    int bestDistance = 3;
    for (String k : KEYS) {
      int d = distance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** A task file that cannot be used, with every problem found (one per line, each naming key and origin). */
  public static final class TaskFileException extends InputException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    TaskFileException(String file, List<String> problems) {
      super("task file " + file + (problems.size() == 1 ? ": " + problems.get(0)
          : " has " + problems.size() + " problems:\n  - " + String.join("\n  - ", problems)));
      this.problems = List.copyOf(problems);
    }

    /** Each problem: key, rule, value found and its origin. */
    public List<String> problems() {
      return problems;
    }
  }

  /** Typed reads of the file's keys that record every problem rather than stop at the first. */
  private static final class Check {
    private final Config c;
    private final String file;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> failed = new HashSet<>();

    Check(Config c, String file) {
      this.c = c;
      this.file = file;
    }

    boolean fine(String key) {
      return !failed.contains(key);
    }

    void problem(String key, String message) {
      failed.add(key);
      problems.add(message);
    }

    <T> T fail(String key, String rule, ConfigValue v) {
      String found = v.render(ConfigRenderOptions.concise());
      if (found.length() > 80) found = found.substring(0, 77) + "...";
      problem(key, key + " " + rule + ", found " + found + " (" + v.origin().description() + ")");
      return null;
    }

    private ConfigValue value(String key) {
      return c.hasPathOrNull(key) ? c.getValue(key) : null;
    }

    String string(String key, String fallback, boolean required) {
      ConfigValue v = c.hasPath(key) ? c.getValue(key) : null;
      if (v == null) {
        if (required) problem(key, key + " must be set (a column name) (" + file + ")");
        return fallback;
      }
      if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
        return fail(key, "must be a string", v);
      }
      String s = String.valueOf(v.unwrapped());
      if (s.isBlank()) return fail(key, "must not be empty", v);
      return s;
    }

    String oneOf(String key, String fallback, List<String> allowed) {
      if (!c.hasPath(key)) {
        if (fallback == null) {
          problem(key, key + " must be set (one of " + String.join(", ", allowed) + ") (" + file + ")");
        }
        return fallback;
      }
      ConfigValue v = c.getValue(key);
      Object u = v.unwrapped();
      if (!(u instanceof String s) || !allowed.contains(s)) {
        return fail(key, "must be one of " + String.join(", ", allowed), v);
      }
      return s;
    }

    String path(String key, Path dir) {
      ConfigValue v = value(key);
      if (v == null || v.valueType() == ConfigValueType.NULL) return null;
      if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
        return fail(key, "must be a path (a file, a directory of parts or a glob)", v);
      }
      String s = (String) v.unwrapped();
      try {
        Path p = new Path(s);
        URI u = p.toUri();
        // A relative path is the task file's neighbour, so a task and its tables travel together.
        if (!p.isAbsolute() && u.getScheme() == null && dir != null) p = new Path(dir, s);
        return p.toString();
      } catch (IllegalArgumentException e) {
        return fail(key, "must be a path or URI (" + e.getMessage() + ")", v);
      }
    }

    List<String> stringList(String key) {
      if (!c.hasPath(key)) return List.of();
      ConfigValue v = c.getValue(key);
      if (v.valueType() != ConfigValueType.LIST) {
        fail(key, "must be a list of strings", v);
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (Object o : (List<?>) v.unwrapped()) {
        if (!(o instanceof String || o instanceof Number || o instanceof Boolean) || String.valueOf(o).isBlank()) {
          fail(key, "must be a list of non-empty strings", v);
          return List.of();
        }
        // Numbers are labels too (labels = [0, 1]); they are written as the data's cells are read.
        out.add(o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
            ? Long.toString(n.longValue()) : String.valueOf(o));
      }
      return out;
    }

    int intAtLeast(String key, int fallback, int min, String holds) {
      if (!c.hasPath(key)) return fallback;
      ConfigValue v = c.getValue(key);
      Object u = v.unwrapped();
      if (!(u instanceof Integer || u instanceof Long) || ((Number) u).longValue() < min
          || ((Number) u).longValue() > 100_000) {
        fail(key, "must be an integer >= " + min + " (to hold " + holds + ")", v);
        return fallback;
      }
      return ((Number) u).intValue();
    }

    void finish() {
      if (!problems.isEmpty()) throw new TaskFileException(file, problems);
    }
  }
}
