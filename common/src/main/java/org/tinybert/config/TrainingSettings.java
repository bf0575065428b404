package org.tinybert.config;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.Serializable;
import java.time.Duration;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.core.Dropout;

/**
 * How a student is trained, shared by every training job (general and task distillation, teacher fine-tuning): the
 * optimiser, the schedule, data parallelism and checkpointing. Read from the keys of a job's own section; the
 * optimiser it gives is built by {@code distill.DistillationLayer.forTraining}.
 *
 * @param batchSize minibatch size per worker (one DL4J minibatch; TinyBERT's batch size when workers is 1)
 * @param averagingFrequency minibatches each worker trains between two parameter averagings
 * @param workers data-parallel replicas; 0 = Spark's default parallelism (one per executor core)
 * @param checkpointEvery averaging rounds between checkpoints
 * @param dropout the student's dropout probability (hidden and attention), or null for its config.json's
 *     {@code hidden_dropout_prob} and {@code attention_probs_dropout_prob} (what TinyBERT's training does)
 * @param engine {@code tinybert.engine}: what computes teacher, student, losses and updates
 * @param holdStaleAfter {@code tinybert.hold.stale-after}: how old the heartbeat of a run's hold on its output may
 *     grow before another run takes the output over
 */
public record TrainingSettings(int epochs, int batchSize, int averagingFrequency, int workers, double learningRate,
    Schedule schedule, double warmupProportion, Optimizer optimizer, double weightDecay, ClipMode clip, double clipThreshold,
    long seed, int checkpointEvery, int keepCheckpoints, Double dropout, EngineChoice engine,
    @JsonSerialize(using = ToStringSerializer.class) Duration holdStaleAfter) implements Serializable {

  /**
   * The keys of {@code v}'s section, with the run's engine and hold limit (read once per job, {@link Validator#engine},
   * {@link Validator#holdStaleAfter}).
   */
  static TrainingSettings read(Validator v, EngineChoice engine, Duration holdStaleAfter) {
    return new TrainingSettings(
        v.positiveInt("epochs"),
        v.positiveInt("batch-size"),
        v.positiveInt("averaging-frequency"),
        v.intAtLeast("workers", 0),
        v.positiveDouble("learning-rate"),
        v.choice("schedule", Schedule.class),
        v.doubleIn("warmup-proportion", 0.0, 0.99),
        v.choice("optimizer", Optimizer.class),
        v.doubleIn("weight-decay", 0.0, 1.0),
        v.choice("clip", ClipMode.class),
        v.positiveDouble("clip-threshold"),
        v.intAtLeast("seed", 0),
        v.positiveInt("checkpoint-every"),
        v.positiveInt("keep-checkpoints"),
        v.wordOrDoubleIn("dropout", "config", 0.0, 0.9),
        engine,
        holdStaleAfter);
  }

  /** The student's dropout in training: this setting's probability, or the student config's. */
  public Dropout dropout(BertConfig student) {
    return dropout == null ? new Dropout(student.hiddenDropoutProb(), student.attentionDropoutProb(), seed)
        : new Dropout(dropout, dropout, seed);
  }
}
