package org.tinybert.glue;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import org.tinybert.io.InputException;

/**
 * A classification task's labels in the order a model's classifier uses them (position = label id).
 *
 * <p>TinyBERT's order ({@link GlueTask#labels()}) is the default. Some checkpoints were fine-tuned with another order
 * (MNLI heads exported from other toolkits use entailment, neutral, contradiction); {@link #of(TaskDefinition, List)}
 * takes
 * such an order so their ids map to the right names. Metrics are always computed on the task's own order
 * ({@link #canonicalId(int)}), so F1's positive class stays the label named "1".
 */
public record GlueLabels(TaskDefinition task, List<String> names) implements Serializable {

  public GlueLabels {
    if (task.outputMode() != OutputMode.CLASSIFICATION) {
      throw new IllegalArgumentException(task + " is a regression task: it has no labels");
    }
    names = List.copyOf(names);
    if (names.size() != task.labels().size() || !new HashSet<>(names).equals(new HashSet<>(task.labels()))
        || new HashSet<>(names).size() != names.size()) {
      throw new InputException("label order for " + task + " must list each of " + task.labels()
          + " once, found " + names);
    }
  }

  /** TinyBERT's order. */
  public static GlueLabels of(TaskDefinition task) {
    return new GlueLabels(task, task.labels());
  }

  /** A checkpoint's own order; null or empty means TinyBERT's. */
  public static GlueLabels of(TaskDefinition task, List<String> labelOrder) {
    return labelOrder == null || labelOrder.isEmpty() ? of(task) : new GlueLabels(task, labelOrder);
  }

  public int size() {
    return names.size();
  }

  /** The id of a label name, or -1 when the task has no such label. */
  public int id(String name) {
    return names.indexOf(name);
  }

  public String name(int id) {
    if (id < 0 || id >= names.size()) {
      throw new IllegalArgumentException("label id of " + task + " must be in [0, " + names.size() + "), found " + id
          + " (labels " + names + ")");
    }
    return names.get(id);
  }

  /** The id the same label has in TinyBERT's order, which metrics are computed in. */
  public int canonicalId(int id) {
    return task.labels().indexOf(name(id));
  }
}
