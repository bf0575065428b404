package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert metrics} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param task the task whose metrics are computed: a GLUE preset or a task file (its labels, kind and metrics)
 * @param predictions the predictions file (one per line, or {@code index<TAB>prediction} as predict writes it; a task
 *     file's id column names the first column)
 * @param gold the labelled file (a GLUE dev file, diagnostic-full.tsv for ax; a task file's dev table by default)
 * @param labelOrder the order label ids in the predictions refer to; empty for the task's own
 */
public record MetricsSettings(TaskDefinition task, Path predictions, Path gold, List<String> labelOrder)
    implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("metrics");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  public MetricsSettings {
    labelOrder = List.copyOf(labelOrder);
  }

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static MetricsSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    TaskDefinition task = TaskSetting.read(v, List.of(GlueTask.values()));
    Path predictions = v.path("predictions");
    boolean file = task instanceof TaskFile
        || task == null && v.peekString("task").map(TaskSetting::isPath).orElse(false);
    // A task file names its dev table: gold only overrides it.
    Path gold = file ? v.optionalPath("gold").orElse(task instanceof TaskFile f && f.dev() != null
        ? new Path(f.dev()) : null) : v.path("gold");
    v.require(!(task instanceof TaskFile) || gold != null, "gold", "must be set: the task file names no dev table");
    List<String> labelOrder = v.stringList("label-order");
    if (task != null && v.ok("label-order") && !labelOrder.isEmpty()) {
      if (task.outputMode() == OutputMode.REGRESSION) {
        v.require(false, "label-order", "must be [] for the regression task " + task);
      } else if (!TaskData.needsLabels(task)) {
        v.require(GlueRunSettings.validOrder(task, labelOrder), "label-order",
            "must be [] (TinyBERT's order) or list each of " + task.labels() + " once");
      }
    }
    v.finish();
    return new MetricsSettings(task, predictions, gold, labelOrder);
  }
}
