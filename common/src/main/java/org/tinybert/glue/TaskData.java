package org.tinybert.glue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.TableFormat;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.model.core.BertConfig;

/**
 * A task's splits, whatever defines it: a preset's published file in its GLUE task directory ({@link GlueReader}), or
 * a task file's table ({@link TaskTableReader}). Also resolves the labels of a task file that lists none: the sorted
 * distinct labels of its training set, or the {@code id2label} of a model trained on it.
 */
public final class TaskData {
  private TaskData() {}

  /**
   * Where {@code split} of {@code task} is: for a preset, the first of its published names that exists under
   * {@code taskDir}; for a task file, its table (which must exist, or as a glob match something).
   *
   * @param taskDir the preset's GLUE directory; ignored for task files
   */
  public static Path locate(TaskDefinition task, Split split, Path taskDir, Configuration conf) {
    if (task instanceof GlueTask g) {
      if (taskDir == null) throw new InputException("GLUE task " + g + " needs its task directory (task-dir)");
      return g.locate(taskDir, split, conf);
    }
    TaskFile f = (TaskFile) task;
    String p = f.path(split);
    if (p == null) {
      throw new InputException("task file " + f.source() + " has no " + TaskFile.key(split) + " table: set "
          + TaskFile.key(split) + " = <file, directory or glob>");
    }
    Path path = new Path(p);
    try {
      FileStatus[] found = HadoopIO.fs(path, conf).globStatus(path);
      if (found == null || found.length == 0) {
        throw new InputException("the " + TaskFile.key(split) + " table of task file " + f.source() + ", " + p
            + ", does not exist");
      }
    } catch (IOException e) {
      throw new InputException("cannot list " + p + " (the " + TaskFile.key(split) + " table of task file "
          + f.source() + "): " + e.getMessage(), e);
    }
    return path;
  }

  /** Reads {@code split} of {@code task} from {@code file} ({@link #locate}), with the task's bad-row rule. */
  public static GlueExamples read(TaskDefinition task, Split split, Path file, Configuration conf) throws IOException {
    return read(task, split, file, conf, GlueReader.Options.defaults());
  }

  public static GlueExamples read(TaskDefinition task, Split split, Path file, Configuration conf,
      GlueReader.Options options) throws IOException {
    if (task instanceof GlueTask g) return GlueReader.read(g, split, file, conf, options);
    return TaskTableReader.read((TaskFile) task, split, file, conf, options);
  }

  /**
   * The layout of a task file's TSV table for the line readers GLUE's files go through ({@link GlueRowParser}: the
   * augmentation reads a TSV training table that way, other formats whole, {@link TaskTableReader#readWhole}): the
   * text, pair and label columns found in the file's header, every other column kept as it is.
   *
   * @throws InputException when the table is not TSV, or its header lacks a column
   */
  public static ColumnLayout tsvLayout(TaskFile task, Path file, Configuration conf) throws IOException {
    TableFormat format = task.format() != TableFormat.AUTO ? task.format()
        : TableFormat.ofName(file.getName(), TaskFile.FORMATS, null);
    if (format != TableFormat.TSV) {
      throw new InputException("augment reads a task's training table as TSV (a header, then tab-separated rows, "
          + "as train_aug.tsv is written); " + file + " is " + (format == null ? "of no format its name tells"
          : format.key()) + " (task file " + task.source() + ")");
    }
    String header;
    try (Utf8LineReader r = new Utf8LineReader(HadoopIO.open(file, conf))) {
      Utf8LineReader.Line l = r.next();
      if (l == null || !l.valid()) {
        throw new GlueFormatException(file.toString(), 1, l == null ? "empty file: expected a header"
            : l.encodingError());
      }
      header = l.text();
    }
    List<String> columns = GlueRowParser.splitFields(header);
    int[] at = new int[3];
    String[] names = {task.text(), task.textPair(), task.label()};
    for (int k = 0; k < 3; k++) {
      at[k] = names[k] == null ? ColumnLayout.NONE : columns.indexOf(names[k]);
      if (names[k] != null && at[k] < 0) {
        throw new GlueFormatException(file.toString(), 1, "no column '" + names[k] + "' in the tab-separated header "
            + columns + " (task file " + task.source() + ")");
      }
    }
    return new ColumnLayout(columns, true, at[0], at[1], at[2], ColumnLayout.NONE);
  }

  /** Whether the task still needs its labels resolved (a classification task file without {@code labels}). */
  public static boolean needsLabels(TaskDefinition task) {
    return task instanceof TaskFile f && !f.labelsKnown();
  }

  /**
   * A task file without {@code labels} given the sorted distinct labels of its training set (as Hugging Face's
   * run_glue does); any other task as it is.
   */
  public static TaskDefinition withTrainingLabels(TaskDefinition task, GlueExamples train) {
    if (!needsLabels(task)) return task;
    TreeSet<String> seen = new TreeSet<>();
    for (GlueExample e : train.examples()) seen.add(e.label());
    return ((TaskFile) task).withLabels(new ArrayList<>(seen));
  }

  /**
   * A task file without {@code labels} given the label names of a model fine-tuned on it ({@code config.json}'s
   * {@code id2label}, which the project's saved models carry); any other task as it is.
   *
   * @param source names the model in messages
   * @throws InputException when the model names no labels (Hugging Face's LABEL_i placeholders)
   */
  public static TaskDefinition withModelLabels(TaskDefinition task, BertConfig config, Object source) {
    if (!needsLabels(task)) return task;
    List<String> names = id2label(config);
    if (names.isEmpty()) {
      throw new InputException("task file " + ((TaskFile) task).source() + " lists no labels and the model at "
          + source + " names none in config.json (id2label): set labels = [...] in the task file");
    }
    return ((TaskFile) task).withLabels(names);
  }

  /** config.json's label names in id order; empty when absent or only Hugging Face's LABEL_i placeholders. */
  public static List<String> id2label(BertConfig config) {
    JsonNode m = config.raw().path("id2label");
    if (!m.isObject() || m.size() == 0) return List.of();
    String[] names = new String[m.size()];
    boolean placeholders = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int i;
      try {
        i = Integer.parseInt(e.getKey());
      } catch (NumberFormatException x) {
        return List.of();
      }
      if (i < 0 || i >= names.length) return List.of();
      names[i] = e.getValue().asText();
      if (!names[i].equals("LABEL_" + i)) placeholders = false;
    }
    return placeholders ? List.of() : List.of(names);
  }
}
