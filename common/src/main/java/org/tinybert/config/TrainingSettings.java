package org.tinybert.config;

import java.io.Serializable;
import org.tinybert.distill.BertAdam;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.WarmupLinearSchedule;
import org.tinybert.model.BertConfig;
import org.tinybert.model.Dropout;
import org.tinybert.model.EngineChoice;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How a student is trained, shared by every training job (general and task distillation, teacher fine-tuning): the
 * optimiser, the schedule, data parallelism and checkpointing. Read from the keys of a job's own section.
 *
 * @param batchSize minibatch size per worker (one DL4J minibatch; TinyBERT's batch size when workers is 1)
 * @param averagingFrequency minibatches each worker trains between two parameter averagings
 * @param workers data-parallel replicas; 0 = Spark's default parallelism (one per executor core)
 * @param checkpointEvery averaging rounds between checkpoints
 * @param dropout the student's dropout probability (hidden and attention), or null for its config.json's
 *     {@code hidden_dropout_prob} and {@code attention_probs_dropout_prob} (what TinyBERT's training does)
 * @param engine {@code tinybert.engine}: what computes teacher, student, losses and updates
 */
public record TrainingSettings(int epochs, int batchSize, int averagingFrequency, int workers, double learningRate,
    String schedule, double warmupProportion, String optimizer, double weightDecay, String clip, double clipThreshold,
    long seed, int checkpointEvery, int keepCheckpoints, Double dropout, EngineChoice engine) implements Serializable {

  /** The keys of {@code v}'s section, with the run's engine (read once per job, {@link Validator#engine}). */
  static TrainingSettings read(Validator v, EngineChoice engine) {
    return new TrainingSettings(
        v.positiveInt("epochs"),
        v.positiveInt("batch-size"),
        v.positiveInt("averaging-frequency"),
        v.intAtLeast("workers", 0),
        v.positiveDouble("learning-rate"),
        v.oneOf("schedule", "constant", "warmup-linear"),
        v.doubleIn("warmup-proportion", 0.0, 0.99),
        v.oneOf("optimizer", "bertadam", "adamw"),
        v.doubleIn("weight-decay", 0.0, 1.0),
        v.oneOf("clip", "per-tensor", "global", "none"),
        v.positiveDouble("clip-threshold"),
        v.intAtLeast("seed", 0),
        v.positiveInt("checkpoint-every"),
        v.positiveInt("keep-checkpoints"),
        v.wordOrDoubleIn("dropout", "config", 0.0, 0.9),
        engine);
  }

  /** The student's dropout in training: this setting's probability, or the student config's. */
  public Dropout dropout(BertConfig student) {
    return dropout == null ? new Dropout(student.hiddenDropoutProb(), student.attentionDropoutProb(), seed)
        : new Dropout(dropout, dropout, seed);
  }

  /** The DL4J updater for a run of {@code totalSteps} optimiser steps per worker. */
  public IUpdater updater(long totalSteps) {
    WarmupLinearSchedule s = "warmup-linear".equals(schedule)
        ? new WarmupLinearSchedule(learningRate, warmupProportion, Math.max(1, totalSteps)) : null;
    BertAdam adam = "adamw".equals(optimizer) ? BertAdam.adamW(learningRate, s) : BertAdam.bertAdam(learningRate, s);
    return adam.withEngine(engine);
  }

  public DistillationLayer.Clip clipMode() {
    return switch (clip) {
      case "global" -> DistillationLayer.Clip.GLOBAL;
      case "none" -> DistillationLayer.Clip.NONE;
      default -> DistillationLayer.Clip.PER_TENSOR;
    };
  }
}
