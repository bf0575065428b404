package org.tinybert.config;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.typesafe.config.Config;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.BadRows;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert augment} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param task the task whose training set is augmented: a GLUE preset, or a task file (TSV, CSV, JSON lines, Parquet)
 * @param input its train.tsv (a task file's train table when not given)
 * @param glove GloVe vectors (text format, optionally compressed)
 * @param mlm the masked-LM model directory
 * @param output train_aug.tsv (a task file's: in the format of its train table; its train-aug when not given)
 * @param sideOutput the side file, or null for none
 * @param replaceProbability p_t
 * @param topK K
 * @param variants N, unless {@code taskVariants}
 * @param taskVariants use TinyBERT's N for the task
 * @param gloveVocabLimit GloVe words read
 * @param skipMalformedGlove skip (and count) malformed GloVe lines instead of failing
 * @param malformedRows {@link #BAD_ROWS}: what a malformed row of the task's file does (the component keeps its old
 *     name, under which manifests record it)
 * @param seed seed of the replacement draws
 * @param batchSize masked inputs per forward pass
 * @param gloveBatchSize query words per GloVe matrix product
 * @param maxSeqLength longest masked-LM input
 * @param lowerCase uncased tokenization, or null: as the masked LM's tokenizer_config.json says, else uncased
 * @param partitions minimum input partitions, 0 for Spark's default
 * @param engine {@code tinybert.engine}: what computes the masked LM and the top K (on the executors)
 * @param holdStaleAfter {@code tinybert.hold.stale-after}: how old the heartbeat of a run's hold on its output may
 *     grow before another run takes the output over
 */
public record AugmentSettings(TaskDefinition task, Path input, Path glove, Path mlm, Path output, Path sideOutput,
    double replaceProbability, int topK, int variants, boolean taskVariants, int gloveVocabLimit,
    boolean skipMalformedGlove, BadRows malformedRows, int seed, int batchSize, int gloveBatchSize, int maxSeqLength,
    Boolean lowerCase, int partitions, EngineChoice engine,
    @JsonSerialize(using = ToStringSerializer.class) Duration holdStaleAfter) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("augment");
  /** What a malformed row of the task's file does: fail, skip or task-default ({@link BadRows}). */
  public static final Key BAD_ROWS = SECTION.key("bad-rows");
  /** The old name of {@link #BAD_ROWS}, with the same values. */
  public static final RenamedKey MALFORMED_ROWS = new RenamedKey(SECTION.key("malformed-rows"), BAD_ROWS);
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();
  /** The value of {@code side-output} that means no side file. */
  public static final String NONE = "none";

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static AugmentSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    String[] tasks = Arrays.stream(GlueTask.values()).filter(t -> t.has(Split.TRAIN) && t != GlueTask.MNLI_MM)
        .map(GlueTask::taskName).toArray(String[]::new);
    TaskDefinition task;
    Path input;
    if (v.peekString("task").map(TaskSetting::isPath).orElse(false)) {
      task = TaskSetting.read(v, List.of());
      // A task file names its training table: input only overrides it.
      String train = task instanceof TaskFile f ? f.train() : null;
      input = v.optionalPath("input").orElse(train == null ? null : new Path(train));
      v.require(task == null || input != null, "input", "must be set: the task file names no train table");
    } else {
      String taskName = v.string("task");
      task = Arrays.stream(GlueTask.values()).filter(t -> Arrays.asList(tasks).contains(t.taskName())
          && t.taskName().equalsIgnoreCase(taskName.strip())).findFirst().orElse(null);
      v.require(task != null, "task", "must be one of " + String.join(", ", tasks) + " (in any case)");
      input = v.path("input");
    }
    Path glove = v.path("glove");
    Path mlm = v.path("mlm");
    Path output;
    if (task instanceof TaskFile f) {
      // The task file's train-aug is where task-distill looks for the augmented set: the natural default.
      output = v.optionalPath("output").orElse(f.trainAug() == null ? null : new Path(f.trainAug()));
      v.require(output != null, "output", "must be set: the task file names no train-aug table");
    } else {
      output = v.path("output");
    }
    String side = v.string("side-output");
    Path sideOutput = null;
    if (v.ok("side-output") && !NONE.equals(side)) sideOutput = v.path("side-output");
    double p = v.doubleIn("replace-probability", 0, 1);
    int topK = v.positiveInt("top-k");
    int variants = v.positiveInt("variants");
    boolean taskVariants = v.bool("task-variants");
    int gloveVocabLimit = v.positiveInt("glove-vocab-limit");
    boolean skipGlove = "skip".equals(v.oneOf("malformed-glove-lines", "fail", "skip"));
    BadRows malformedRows = v.renamed(MALFORMED_ROWS, k -> v.choice(k, BadRows.class),
        k -> v.choice(k, BadRows.class));
    int seed = v.intAtLeast("seed", 0);
    int batchSize = v.positiveInt("batch-size");
    int gloveBatchSize = v.positiveInt("glove-batch-size");
    int maxSeqLength = v.intAtLeast("max-seq-length", 3);
    Boolean lowerCase = v.optionalBool("lower-case");
    int partitions = v.intAtLeast("partitions", 0);
    v.require(input == null || output == null || !input.equals(output), "output",
        "must differ from " + SECTION.key("input").full());
    EngineChoice engine = v.engine();
    Duration holdStaleAfter = v.holdStaleAfter();
    v.finish();
    return new AugmentSettings(task, input, glove, mlm, output, sideOutput, p, topK, variants,
        taskVariants, gloveVocabLimit, skipGlove, malformedRows, seed, batchSize, gloveBatchSize, maxSeqLength,
        lowerCase, partitions, engine, holdStaleAfter);
  }

  /** These settings with the casing decided ({@code lower-case} left null follows the masked LM's files). */
  public AugmentSettings withLowerCase(boolean lower) {
    return new AugmentSettings(task, input, glove, mlm, output, sideOutput, replaceProbability, topK, variants,
        taskVariants, gloveVocabLimit, skipMalformedGlove, malformedRows, seed, batchSize, gloveBatchSize,
        maxSeqLength, lower, partitions, engine, holdStaleAfter);
  }

  /** The side file, if one was asked for. */
  public Optional<Path> sideOutputPath() {
    return Optional.ofNullable(sideOutput);
  }

  /** Whether malformed rows are skipped (and counted) rather than fatal. */
  public boolean skipMalformedRows() {
    return switch (malformedRows) {
      case SKIP -> true;
      case FAIL -> false;
      case TASK_DEFAULT -> task.skipsMalformedByDefault();
    };
  }

  /** N for this run: TinyBERT's N for the task when {@link #taskVariants} and it has one, else {@link #variants}. */
  public int effectiveVariants() {
    return taskVariants && task instanceof GlueTask g ? tinyBertVariants(g).orElse(variants) : variants;
  }

  /**
   * The N of TinyBERT's {@code data_augmentation.py} for a task (its {@code default_params}; STS-B's entry is keyed
   * "STS-b" there and never matches, so STS-B gets the script's default of 30). WNLI has none.
   */
  public static Optional<Integer> tinyBertVariants(GlueTask task) {
    return switch (task) {
      case COLA, MRPC, RTE, STS_B -> Optional.of(30);
      case SST_2, QNLI -> Optional.of(20);
      case MNLI, MNLI_MM, QQP -> Optional.of(10);
      default -> Optional.empty();
    };
  }
}
