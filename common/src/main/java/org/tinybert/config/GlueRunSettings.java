package org.tinybert.config;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.TaskData;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.EngineChoice;

/**
 * The keys {@code evaluate} and {@code predict} share: a classifier model run over a split of a task (each key is
 * documented in {@code reference.conf}).
 *
 * @param model Hugging Face model directory with a sequence classifier
 * @param task a GLUE preset ({@code mnli} also runs {@code mnli-mm}) or a task file
 * @param taskDir the preset's directory in the GLUE data ({@code glue_data/MNLI}); null for a task file
 * @param maxSeqLength tokens per example; 0 for the task's own
 * @param batchSize examples per forward pass
 * @param head which logits predictions are read from
 * @param cased keep case and accents (true) or lower-case like uncased BERT (false); null: as the model's
 *     tokenizer_config.json says, else uncased
 * @param labelOrder the model's label order; empty for TinyBERT's
 * @param partitions Spark partitions of the examples; 0 for the session's default parallelism
 * @param engine {@code tinybert.engine}: what computes the forward passes (on the executors)
 * @param holdStaleAfter {@code tinybert.hold.stale-after}: how old the heartbeat of a run's hold on its output may
 *     grow before another run takes the output over
 */
public record GlueRunSettings(Path model, TaskDefinition task, Path taskDir, int maxSeqLength, int batchSize,
    ClassifierHead head, Boolean cased, List<String> labelOrder, int partitions, EngineChoice engine,
    @JsonSerialize(using = ToStringSerializer.class) Duration holdStaleAfter) implements Serializable {

  public GlueRunSettings {
    labelOrder = List.copyOf(labelOrder);
  }

  /** The tasks a run covers: mnli and mnli-mm for {@code mnli}, else the task itself. */
  public List<TaskDefinition> tasks() {
    return task == GlueTask.MNLI ? List.of(GlueTask.MNLI, GlueTask.MNLI_MM) : List.of(task);
  }

  /** The sequence length of {@code t}: the setting, or the task's own when it is 0. */
  public int maxSeqLength(TaskDefinition t) {
    return maxSeqLength == 0 ? t.maxSeqLength() : maxSeqLength;
  }

  /** Reads the shared keys of the section {@code v} reads; problems are recorded in {@code v}. */
  static GlueRunSettings read(Validator v) {
    Path model = v.path("model");
    TaskDefinition task = TaskSetting.read(v, Arrays.asList(GlueTask.values()));
    Path taskDir = TaskSetting.taskDir(v, task);
    int maxSeqLength = v.intAtLeast("max-seq-length", 0);
    if (task != null) {
      int min = task.isPairTask() ? 3 : 2;
      v.require(maxSeqLength == 0 || maxSeqLength >= min, "max-seq-length",
          "must be 0 (the task's, " + task.maxSeqLength() + ") or >= " + min + " for " + task);
    }
    int batchSize = v.positiveInt("batch-size");
    ClassifierHead head = v.choice("head", ClassifierHead.class);
    Boolean cased = v.optionalBool("cased");
    List<String> labelOrder = v.stringList("label-order");
    // A task file without labels takes them from the model: its label order is checked once they are known.
    if (task != null && v.ok("label-order") && !labelOrder.isEmpty() && !TaskData.needsLabels(task)) {
      if (task.outputMode() == OutputMode.REGRESSION) {
        v.require(false, "label-order", "must be [] for the regression task " + task);
      } else {
        v.require(validOrder(task, labelOrder), "label-order",
            "must be [] (TinyBERT's order) or list each of " + task.labels() + " once");
      }
    }
    int partitions = v.intAtLeast("partitions", 0);
    return new GlueRunSettings(model, task, taskDir, maxSeqLength, batchSize, head, cased, labelOrder, partitions,
        v.engine(), v.holdStaleAfter());
  }

  static boolean validOrder(TaskDefinition task, List<String> order) {
    try {
      GlueLabels.of(task, order);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
