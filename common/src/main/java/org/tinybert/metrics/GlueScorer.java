package org.tinybert.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueExamples;
import org.tinybert.glue.GlueFormatException;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.glue.TaskTableReader;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.Utf8LineReader;

/**
 * Scores a predictions file against a labelled file of the task with {@link GlueMetrics}: for a GLUE preset a GLUE
 * file (the dev layout; for ax, diagnostic-full.tsv), for a task file a table of it (its dev table by default), read
 * by {@link TaskData} as every task command reads it.
 *
 * <p>Two prediction formats are read, told apart by the first line:
 * <ul>
 *   <li>the GLUE server's: a header {@code index<TAB>prediction}, then one row per example, matched to the gold rows
 *       by index (the index column, or the 0-based row number for gold files without one: CoLA, SST-2, MRPC); for a
 *       task file, as {@code predict} writes it: a header naming its id column (or {@code index} without one), the
 *       rows matched by the gold table's id column (or its 0-based row number);
 *   <li>plain: one prediction per line, in the order of the gold rows.
 * </ul>
 * A prediction is a label name or a label id (in {@code labelOrder}, TinyBERT's by default) for classification, a
 * number for STS-B. Counts that do not match, unknown or repeated indices and unknown labels are errors naming file
 * and line.
 */
public final class GlueScorer {
  private GlueScorer() {}

  private record Prediction(long line, String index, String value) {}

  public static Map<String, Double> score(TaskDefinition task, Path predictions, Path gold, Configuration conf)
      throws IOException {
    return score(task, null, predictions, gold, conf);
  }

  /**
   * @param labelOrder the order label ids in the predictions refer to; null or empty for the task's own (TinyBERT's
   *     for a preset; a task file's {@code labels}, or its training set's labels sorted when it lists none)
   */
  public static Map<String, Double> score(TaskDefinition given, List<String> labelOrder, Path predictions, Path gold,
      Configuration conf) throws IOException {
    GlueExamples g = given instanceof GlueTask preset ? GlueReader.read(preset, Split.DEV, gold, conf) : null;
    List<Prediction> preds = new ArrayList<>();
    boolean server = readPredictions(predictions, given.predictionIdHeader(), conf, preds);
    // A task file's gold rows are matched by its id column only where the predictions name rows by it.
    if (g == null) {
      g = TaskTableReader.read((TaskFile) given, Split.DEV, gold, conf, GlueReader.Options.defaults(), server);
    }
    if (g.size() == 0) throw new GlueFormatException(gold.toString(), "no examples in the gold file");
    TaskDefinition task = labelled(given, g, conf);
    Prediction[] aligned =
        server ? alignByIndex(preds, g, predictions, gold) : alignByOrder(preds, g, predictions, gold);

    String file = predictions.toString();
    int n = aligned.length;
    if (task.outputMode() == OutputMode.REGRESSION) {
      double[] p = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        p[i] = number(aligned[i], file);
        y[i] = Double.parseDouble(g.examples().get(i).label().strip());
      }
      return GlueMetrics.compute(task, p, y);
    }
    GlueLabels labels;
    try {
      labels = GlueLabels.of(task, labelOrder);
    } catch (IllegalArgumentException e) {
      throw new InputException("label-order " + labelOrder + " does not fit " + task + ": " + e.getMessage());
    }
    int[] p = new int[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = labelId(aligned[i], labels, file);
      GlueExample e = g.examples().get(i);
      y[i] = task.labels().indexOf(e.label());
      if (y[i] < 0) {
        throw new GlueFormatException(gold.toString(), e.line(), "label '" + e.label() + "' is not one of the "
            + "labels of the training set " + task.labels() + ": set labels = [...] in task file "
            + (task instanceof TaskFile f ? f.source() : task));
      }
    }
    return GlueMetrics.compute(task, p, y);
  }

  /**
   * A task file without {@code labels} given those a model trained on it has: its training set's, sorted (as
   * finetune-teacher gives them), or without a training table the gold table's.
   */
  private static TaskDefinition labelled(TaskDefinition task, GlueExamples gold, Configuration conf)
      throws IOException {
    if (!TaskData.needsLabels(task)) return task;
    TaskFile f = (TaskFile) task;
    if (f.train() == null) return TaskData.withTrainingLabels(task, gold);
    Path train = TaskData.locate(task, Split.TRAIN, null, conf);
    return TaskData.withTrainingLabels(task, TaskData.read(task, Split.TRAIN, train, conf));
  }

  /**
   * Fills {@code out}; returns whether the file is in the server format (a first line
   * {@code <idHeader><TAB>prediction}).
   */
  private static boolean readPredictions(Path file, String idHeader, Configuration conf, List<Prediction> out)
      throws IOException {
    String name = file.toString();
    boolean server = false;
    try (Utf8LineReader lines = new Utf8LineReader(HadoopIO.open(file, conf))) {
      for (Utf8LineReader.Line l = lines.next(); l != null; l = lines.next()) {
        if (!l.valid()) throw new GlueFormatException(name, l.number(), l.encodingError());
        String[] f = l.text().split("\t", -1);
        if (l.number() == 1 && f.length == 2 && f[0].strip().equalsIgnoreCase(idHeader)
            && f[1].strip().equalsIgnoreCase("prediction")) {
          server = true;
          continue;
        }
        if (server) {
          if (f.length != 2 || f[0].strip().isEmpty()) {
            throw new GlueFormatException(name, l.number(), "expected " + idHeader + "<TAB>prediction (the header "
                + "announced the GLUE server format), found " + f.length + " tab-separated fields: '" + l.text() + "'");
          }
          out.add(new Prediction(l.number(), f[0].strip(), f[1].strip()));
        } else {
          if (f.length != 1) {
            throw new GlueFormatException(name, l.number(), "expected one prediction per line (or a first line '"
                + idHeader + "<TAB>prediction' for the GLUE server format), found " + f.length
                + " tab-separated fields");
          }
          out.add(new Prediction(l.number(), null, f[0].strip()));
        }
      }
    }
    return server;
  }

  private static Prediction[] alignByOrder(List<Prediction> preds, GlueExamples g, Path predictions, Path gold) {
    int n = g.size();
    if (preds.size() < n) {
      GlueExample first = g.examples().get(preds.size());
      long line = preds.isEmpty() ? 1 : preds.get(preds.size() - 1).line() + 1;
      throw new GlueFormatException(predictions.toString(), line,
          "predictions end after " + preds.size() + " but gold file " + gold + " has " + n + " examples; the first "
              + "without a prediction is on its line " + first.line());
    }
    if (preds.size() > n) {
      throw new GlueFormatException(predictions.toString(), preds.get(n).line(), "prediction " + (n + 1)
          + " has no gold example: gold file " + gold + " has " + n + " examples, predictions " + preds.size());
    }
    return preds.toArray(new Prediction[0]);
  }

  private static Prediction[] alignByIndex(List<Prediction> preds, GlueExamples g, Path predictions, Path gold) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < g.size(); i++) {
      GlueExample e = g.examples().get(i);
      Integer before = position.put(e.index(), i);
      if (before != null) {
        throw new GlueFormatException(gold.toString(), e.line(), "index '" + e.index()
            + "' repeats the row on line " + g.examples().get(before).line() + ": predictions cannot be matched");
      }
    }
    Prediction[] aligned = new Prediction[g.size()];
    for (Prediction p : preds) {
      Integer i = position.get(p.index());
      if (i == null) {
        throw new GlueFormatException(predictions.toString(), p.line(), "index '" + p.index()
            + "' is not in gold file " + gold + " (" + g.size() + " examples)");
      }
      if (aligned[i] != null) {
        throw new GlueFormatException(predictions.toString(), p.line(), "index '" + p.index()
            + "' was already predicted on line " + aligned[i].line());
      }
      aligned[i] = p;
    }
    int missing = 0;
    GlueExample firstMissing = null;
    for (int i = 0; i < aligned.length; i++) {
      if (aligned[i] == null) {
        missing++;
        if (firstMissing == null) firstMissing = g.examples().get(i);
      }
    }
    if (missing > 0) {
      throw new GlueFormatException(predictions.toString(), "has " + preds.size() + " predictions but " + missing
          + " of the " + g.size() + " examples of gold file " + gold + " have none, the first being index '"
          + firstMissing.index() + "' on its line " + firstMissing.line());
    }
    return aligned;
  }

  private static double number(Prediction p, String file) {
    try {
      double v = Double.parseDouble(p.value());
      if (Double.isFinite(v)) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new GlueFormatException(file, p.line(), "expected a number (the predicted similarity score), found '"
        + p.value() + "'");
  }

  /** The label's id in the task's own order, from a label name or an id in {@code labels}' order. */
  private static int labelId(Prediction p, GlueLabels labels, String file) {
    int canonical = labels.task().labels().indexOf(p.value());
    if (canonical >= 0) return canonical;
    if (p.value().matches("\\d{1,9}")) {
      int id = Integer.parseInt(p.value());
      if (id < labels.size()) return labels.canonicalId(id);
    }
    throw new GlueFormatException(file, p.line(), "unknown label '" + p.value() + "' for "
        + labels.task().taskName().toUpperCase(Locale.ROOT) + ", expected one of " + labels.names()
        + " or a label id 0.." + (labels.size() - 1));
  }
}
