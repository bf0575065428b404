package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert finetune-teacher} (section {@link #SECTION}; every key is documented in
 * {@code reference.conf}).
 *
 * @param model the BERT to fine-tune (Hugging Face directory)
 * @param task a GLUE preset or a task file
 * @param taskDir the preset's GLUE directory; null for a task file
 * @param newClassifier start from a fresh classifier even when the model has one (of another task, say)
 * @param maxSeqLength tokens per example; 0 for the task's own
 * @param evalBatchSize examples per forward pass when scoring the dev set
 */
public record FinetuneTeacherSettings(Path model, TaskDefinition task, Path taskDir, Path output, int maxSeqLength,
    Boolean cased, boolean newClassifier, int evalBatchSize, TrainingSettings training) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("finetune-teacher");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  public static FinetuneTeacherSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path model = v.path("model");
    TaskDefinition task = task(v);
    Path taskDir = TaskSetting.taskDir(v, task);
    Path output = v.path("output");
    int maxSeqLength = maxSeqLength(v, task);
    Boolean cased = v.optionalBool("cased");
    boolean fresh = v.bool("new-classifier");
    int evalBatch = v.positiveInt("eval-batch-size");
    TrainingSettings training = TrainingSettings.read(v, v.engine(), v.holdStaleAfter());
    v.finish();
    return new FinetuneTeacherSettings(model, task, taskDir, output, maxSeqLength, cased, fresh, evalBatch, training);
  }

  /** The sequence length examples are padded to. */
  public int seqLength() {
    return maxSeqLength == 0 ? task.maxSeqLength() : maxSeqLength;
  }

  /**
   * A task file, or a trainable GLUE task (not the unlabelled diagnostic set, not mnli-mm, which has no train split of
   * its own).
   */
  static TaskDefinition task(Validator v) {
    return TaskSetting.read(v, TaskSetting.trainable());
  }

  static int maxSeqLength(Validator v, TaskDefinition task) {
    int n = v.intAtLeast("max-seq-length", 0);
    if (task != null) {
      int min = task.isPairTask() ? 3 : 2;
      v.require(n == 0 || n >= min, "max-seq-length",
          "must be 0 (the task's, " + task.maxSeqLength() + ") or >= " + min + " for " + task);
    }
    return n;
  }
}
