package org.tinybert.glue;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;

/**
 * Writes predictions in the GLUE server's submission format: a header {@code index<TAB>prediction}, then one row per
 * test example with its index and the label name (classification) or the score with 3 decimals (STS-B). The file
 * appears atomically (temporary name, then rename). {@link GlueTask#submissionFileName()} gives the name the server
 * expects inside the submission zip.
 */
public final class GluePredictionWriter {
  private GluePredictionWriter() {}

  /** Classification, label ids in TinyBERT's label order. */
  public static void write(TaskDefinition task, List<String> indices, int[] labelIds, Path out, Configuration conf)
      throws IOException {
    write(GlueLabels.of(task), indices, labelIds, out, conf);
  }

  /** Classification, label ids in the given (checkpoint's) label order. */
  public static void write(GlueLabels labels, List<String> indices, int[] labelIds, Path out, Configuration conf)
      throws IOException {
    checkSizes(labels.task(), indices, labelIds.length);
    String[] values = new String[labelIds.length];
    for (int i = 0; i < labelIds.length; i++) values[i] = labels.name(labelIds[i]);
    writeRows(labels.task().predictionIdHeader(), indices, values, out, conf);
  }

  /** Regression (STS-B): one score per example. */
  public static void write(TaskDefinition task, List<String> indices, double[] scores, Path out, Configuration conf)
      throws IOException {
    if (task.outputMode() != OutputMode.REGRESSION) {
      throw new IllegalArgumentException(task + " is a classification task: pass label ids, not scores");
    }
    checkSizes(task, indices, scores.length);
    String[] values = new String[scores.length];
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException("prediction for index " + indices.get(i) + " must be a finite number, found "
            + scores[i]);
      }
      values[i] = String.format(Locale.ROOT, "%.3f", scores[i]);
    }
    writeRows(task.predictionIdHeader(), indices, values, out, conf);
  }

  private static void checkSizes(TaskDefinition task, List<String> indices, int predictions) {
    if (indices.size() != predictions) {
      throw new IllegalArgumentException(task + ": " + indices.size() + " indices but " + predictions
          + " predictions");
    }
    for (String index : indices) {
      if (index == null || index.isEmpty() || index.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
        throw new IllegalArgumentException(task + ": an index must be non-empty without tabs or line breaks, found '"
            + index + "'");
      }
    }
  }

  private static void writeRows(String idHeader, List<String> indices, String[] values, Path out, Configuration conf)
      throws IOException {
    HadoopIO.writeAtomically(out, conf, os -> {
      Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
      w.write(idHeader + "\tprediction\n");
      for (int i = 0; i < values.length; i++) {
        w.write(indices.get(i));
        w.write('\t');
        w.write(values[i]);
        w.write('\n');
      }
      w.flush();
    });
  }
}
