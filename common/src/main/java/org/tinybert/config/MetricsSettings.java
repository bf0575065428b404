package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;

/**
 * Settings of {@code tinybert metrics} (section {@value #ROOT}; each key is documented in {@code reference.conf}).
 *
 * @param task the GLUE task whose metrics are computed
 * @param predictions the predictions file (one per line, or the GLUE server's {@code index<TAB>prediction})
 * @param gold the labelled GLUE file (a dev file; diagnostic-full.tsv for ax)
 * @param labelOrder the order label ids in the predictions refer to; empty for TinyBERT's
 */
public record MetricsSettings(GlueTask task, Path predictions, Path gold, List<String> labelOrder)
    implements Serializable {
  public static final String ROOT = "tinybert.metrics";

  public MetricsSettings {
    labelOrder = List.copyOf(labelOrder);
  }

  /** Reads and validates {@value #ROOT}; throws one {@link SettingsException} listing every problem. */
  public static MetricsSettings from(Config config) {
    Validator v = new Validator(config, ROOT);
    String[] names = Arrays.stream(GlueTask.values()).map(GlueTask::taskName).toArray(String[]::new);
    String taskName = v.oneOf("task", names);
    GlueTask task = v.ok("task") ? GlueTask.byName(taskName) : null;
    Path predictions = v.path("predictions");
    Path gold = v.path("gold");
    List<String> labelOrder = v.stringList("label-order");
    if (task != null && v.ok("label-order") && !labelOrder.isEmpty()) {
      if (task.outputMode() == OutputMode.REGRESSION) {
        v.require(false, "label-order", "must be [] for the regression task " + task);
      } else {
        v.require(GlueRunSettings.validOrder(task, labelOrder), "label-order",
            "must be [] (TinyBERT's order) or list each of " + task.labels() + " once");
      }
    }
    v.finish();
    return new MetricsSettings(task, predictions, gold, labelOrder);
  }
}
