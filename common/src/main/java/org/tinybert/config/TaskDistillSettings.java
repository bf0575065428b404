package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert task-distill} (section {@link #SECTION}; every key is documented in
 * {@code reference.conf}; {@code conf/task-distill/<task>.conf} hold the paper's per-task values). The two stages
 * train with their own settings, in the sub-sections {@code intermediate} and {@code prediction}.
 *
 * @param student the student's directory (a general student, or the intermediate stage's); null when
 *     {@code studentLayers} cuts the student from the teacher
 * @param studentLayers {@code student = "teacher-layers:..."}: the teacher's layers the student starts as
 * @param stage intermediate, prediction, or both (intermediate into {@code <output>/intermediate}, then prediction)
 * @param evalEvery prediction stage: optimiser steps between dev scorings; 0 = after every epoch
 * @param probeExamples intermediate stage: examples of the fixed probe batch whose losses (per layer too) are measured
 *     after every round and recorded in metrics.jsonl; 0 = none
 */
public record TaskDistillSettings(TaskDefinition task, Path taskDir, Path teacher, Path student,
    Optional<TeacherLayersSetting> studentLayers, Stage stage, Path output,
    int maxSeqLength, Boolean cased, boolean augmented, double temperature, LayerMappingSetting layerMapping,
    double attentionWeight, double embeddingWeight, double hiddenWeight, int evalEvery, int evalBatchSize,
    int probeExamples, TrainingSettings intermediate, TrainingSettings prediction) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("task-distill");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** Named by the check of the student's layers against the teacher. */
  public static final Key STUDENT = SECTION.key("student");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  public static TaskDistillSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    TaskDefinition task = FinetuneTeacherSettings.task(v);
    Path taskDir = TaskSetting.taskDir(v, task);
    Path teacher = v.path("teacher");
    Optional<TeacherLayersSetting> studentLayers = TeacherLayersSetting.read(v, "student");
    boolean cut = studentLayers.isPresent() || !v.ok("student");
    Path student = cut ? null : v.path("student");
    Stage stage = v.choice("stage", Stage.class);
    Path output = v.path("output");
    int maxSeqLength = FinetuneTeacherSettings.maxSeqLength(v, task);
    Boolean cased = v.optionalBool("cased");
    boolean augmented = v.bool("use-augmented");
    double temperature = v.positiveDouble("temperature");
    LayerMappingSetting mapping = LayerMappingSetting.read(v, "layer-mapping");
    double att = v.doubleIn("attention-weight", 0.0, 1e6);
    double emb = v.doubleIn("embedding-weight", 0.0, 1e6);
    double hid = v.doubleIn("hidden-weight", 0.0, 1e6);
    int evalEvery = v.intAtLeast("eval-every", 0);
    int evalBatch = v.positiveInt("eval-batch-size");
    int probe = v.intAtLeast("probe-examples", 0);
    Validator vi = new Validator(config, SECTION.child("intermediate"));
    Validator vp = new Validator(config, SECTION.child("prediction"));
    EngineChoice engine = v.engine();
    Duration holdStaleAfter = v.holdStaleAfter();
    TrainingSettings inter = TrainingSettings.read(vi, engine, holdStaleAfter);
    TrainingSettings pred = TrainingSettings.read(vp, engine, holdStaleAfter);
    if (!vi.problems().isEmpty() || !vp.problems().isEmpty()) {
      List<SettingsException.Problem> all = new ArrayList<>(v.problems());
      all.addAll(vi.problems());
      all.addAll(vp.problems());
      throw new SettingsException(all);
    }
    v.finish();
    return new TaskDistillSettings(task, taskDir, teacher, student, studentLayers, stage, output, maxSeqLength, cased,
        augmented, temperature, mapping, att, emb, hid, evalEvery, evalBatch, probe, inter, pred);
  }

  public int seqLength() {
    return maxSeqLength == 0 ? task.maxSeqLength() : maxSeqLength;
  }

  public boolean runsIntermediate() {
    return stage != Stage.PREDICTION;
  }

  public boolean runsPrediction() {
    return stage != Stage.INTERMEDIATE;
  }

  /** {@code stage}: which of the two stages a run trains. */
  public enum Stage implements Choice {
    INTERMEDIATE,
    PREDICTION,
    /** Intermediate into {@code <output>/intermediate}, then prediction from its student. */
    BOTH;
  }
}
