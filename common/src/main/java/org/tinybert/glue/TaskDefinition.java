package org.tinybert.glue;

import java.io.Serializable;
import java.util.List;

/**
 * What every task command consults about a task: its labels and kind, the metrics it is scored by and the one that
 * picks the best checkpoint, its sequence length, and where its splits live. Two kinds of definition exist: the nine
 * GLUE presets ({@link GlueTask}, their published layouts in a GLUE task directory) and task files ({@link TaskFile},
 * a HOCON file naming a team's own tables and columns). Code that reads a split asks {@link TaskData}; everything
 * else sees only this interface, so a task file runs through the same fine-tuning, distillation, evaluation and
 * prediction as a preset.
 */
public sealed interface TaskDefinition extends Serializable permits GlueTask, TaskFile {

  /** The task's name in logs, manifests and eval.json: the preset name, or the task file's name without extension. */
  String taskName();

  /** Classification or regression. */
  OutputMode outputMode();

  /** Label names in classifier order (position = label id); empty for regression. */
  List<String> labels();

  /** Outputs of the classifier head: the number of labels, or 1 for regression (Hugging Face's num_labels). */
  default int numLabels() {
    return outputMode() == OutputMode.REGRESSION ? 1 : labels().size();
  }

  /** The metrics the task is scored by, in the order reported (see {@code org.tinybert.metrics.GlueMetrics}). */
  List<String> metricNames();

  /** The metric the best checkpoint is kept by; one of {@link #metricNames()}. */
  String primaryMetric();

  /** The label binary F1 scores as positive; null when the task reports no F1. */
  String positiveLabel();

  /** Tokens per example, [CLS] and [SEP] included, unless a job's setting overrides it. */
  int maxSeqLength();

  /** Whether rows have a second text. */
  boolean isPairTask();

  /** Whether a reader skips (and counts) bad rows instead of failing on the first. */
  boolean skipsMalformedByDefault();

  /** The file {@code predict} writes the test predictions to ({@code CoLA.tsv}; {@code <name>.tsv} for task files). */
  String predictionFileName();

  /** The header of the predictions file's first column: the id column's name, or GLUE's {@code index}. */
  default String predictionIdHeader() {
    return "index";
  }
}
