package org.tinybert.config;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.typesafe.config.Config;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.io.TableFormat;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.BadRows;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert infer} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param model Hugging Face model directory
 * @param input the table: a file or a directory of parts
 * @param output the directory of parts to write
 * @param format how the input is read; {@link TableFormat#AUTO} by file name
 * @param textColumn the text's column (TSV header name or 0-based index, JSON key, Parquet column)
 * @param textPairColumn the pair's second text, "" for single texts
 * @param idColumn the column kept as the row's id, "" for none
 * @param tsvHeader whether TSV files start with a header line naming their columns
 * @param outputKind what is written per example
 * @param embedding how embeddings are pooled
 * @param outputFormat the parts' file format
 * @param maxSeqLength tokens per example; 0 for the task's, or 128 without a task (fewer if the model has fewer)
 * @param batchSize examples per forward pass
 * @param cased keep case and accents (true) or lower-case like uncased BERT (false); null: as the model's
 *     tokenizer_config.json says, else uncased
 * @param head which logits a classifier is read from
 * @param labels names of the classifier's outputs, empty for config.json's (or the task's)
 * @param task the GLUE task the classifier was trained on, or null
 * @param skipBadRows skip (and count) bad rows instead of failing on the first
 * @param splitSize input bytes per unit of work
 * @param engine {@code tinybert.engine}: what computes the forward passes (on the executors)
 * @param holdStaleAfter {@code tinybert.hold.stale-after}: how old the heartbeat of a run's hold on its output may
 *     grow before another run takes the output over
 */
public record InferSettings(Path model, Path input, Path output, TableFormat format, String textColumn,
    String textPairColumn, String idColumn, boolean tsvHeader, OutputKind outputKind, Pooling embedding,
    OutputFormat outputFormat, int maxSeqLength, int batchSize, Boolean cased, ClassifierHead head,
    List<String> labels, GlueTask task, boolean skipBadRows, long splitSize, EngineChoice engine,
    @JsonSerialize(using = ToStringSerializer.class) Duration holdStaleAfter) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("infer");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** What a bad row does: fail or skip ({@link BadRows}); named in the hint of the failure. */
  public static final Key BAD_ROWS = SECTION.key("bad-rows");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();
  /**
   * The formats infer reads: every table format and plain text. With {@code auto}, a name that implies none of them
   * is read as text.
   */
  public static final List<TableFormat> FORMATS = List.of(TableFormat.AUTO, TableFormat.TEXT, TableFormat.TSV,
      TableFormat.CSV, TableFormat.JSONL, TableFormat.PARQUET);
  /** The sequence length without a task, BERT's usual one for single sentences and pairs alike. */
  public static final int DEFAULT_MAX_SEQ_LENGTH = 128;

  public InferSettings {
    labels = List.copyOf(labels);
  }

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static InferSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path model = v.path("model");
    Path input = v.path("input");
    Path output = v.path("output");
    TableFormat format = v.choice("format", FORMATS);
    String textColumn = v.string("text-column");
    String pair = v.stringOrEmpty("text-pair-column");
    String id = v.stringOrEmpty("id-column");
    boolean tsvHeader = v.bool("tsv-header");
    OutputKind kind = v.choice("output-kind", OutputKind.class);
    Pooling pooling = v.choice("embedding", Pooling.class);
    OutputFormat outFormat = v.choice("output-format", OutputFormat.class);
    int maxSeqLength = v.intAtLeast("max-seq-length", 0);
    int min = pair.isEmpty() ? 2 : 3;
    v.require(maxSeqLength == 0 || maxSeqLength >= min, "max-seq-length",
        "must be 0 (the task's, or " + DEFAULT_MAX_SEQ_LENGTH + ") or >= " + min + " to hold "
        + (min == 3 ? "[CLS] a [SEP] b [SEP]" : "[CLS] a [SEP]"));
    int batchSize = v.positiveInt("batch-size");
    Boolean cased = v.optionalBool("cased");
    ClassifierHead head = v.choice("head", ClassifierHead.class);
    List<String> labels = v.stringList("labels");
    String taskName = v.stringOrEmpty("task");
    String[] tasks = Arrays.stream(GlueTask.values()).map(GlueTask::taskName).toArray(String[]::new);
    GlueTask task = Choice.byKey(GlueTask.class, taskName).orElse(null);
    v.require(taskName.isEmpty() || task != null, "task", "must be \"\" or one of " + String.join(", ", tasks));
    v.require(labels.isEmpty() || taskName.isEmpty(), "labels",
        "must be [] when " + SECTION.key("task").full() + " is set (the task names the labels)");
    boolean skip = v.choice(BAD_ROWS.name(), BadRows.FAIL_OR_SKIP) == BadRows.SKIP;
    long splitSize = v.bytesAtLeast("split-size", 1);
    boolean columnsOk = v.ok("text-column");
    v.require(!columnsOk || !textColumn.equals(pair), "text-pair-column",
        "must differ from " + SECTION.key("text-column").full());
    v.require(!columnsOk || !textColumn.equals(id), "id-column",
        "must differ from " + SECTION.key("text-column").full());
    v.require(pair.isEmpty() || !pair.equals(id), "id-column",
        "must differ from " + SECTION.key("text-pair-column").full());
    if (format == TableFormat.TEXT) {
      v.require(pair.isEmpty(), "text-pair-column", "must be \"\" for text input (one text per line)");
      v.require(id.isEmpty(), "id-column", "must be \"\" for text input (one text per line)");
    }
    v.require(input == null || output == null || !input.equals(output), "output", "must differ from "
        + SECTION.key("input").full());
    EngineChoice engine = v.engine();
    Duration holdStaleAfter = v.holdStaleAfter();
    v.finish();
    return new InferSettings(model, input, output, format, textColumn, pair, id, tsvHeader, kind,
        pooling, outFormat, maxSeqLength, batchSize, cased,
        head, labels, task, skip, splitSize, engine, holdStaleAfter);
  }

  /** Whether examples are pairs of texts. */
  public boolean pairs() {
    return !textPairColumn.isEmpty();
  }

  /** Whether rows carry an id column into the output. */
  public boolean hasId() {
    return !idColumn.isEmpty();
  }

  /**
   * The longest example in tokens: the setting, else the task's, else {@value #DEFAULT_MAX_SEQ_LENGTH} or the model's
   * {@code max_position_embeddings} if it has fewer.
   */
  public int effectiveMaxSeqLength(int maxPositionEmbeddings) {
    if (maxSeqLength > 0) return maxSeqLength;
    return task != null ? task.maxSeqLength() : Math.min(DEFAULT_MAX_SEQ_LENGTH, maxPositionEmbeddings);
  }

  /** Every setting by its key, values as text, numbers or lists (for the manifest and the fingerprint). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model.toString());
    m.put("engine", engine.describe());
    m.put("input", input.toString());
    m.put("output", output.toString());
    m.put("format", format.key());
    m.put("text-column", textColumn);
    m.put("text-pair-column", textPairColumn);
    m.put("id-column", idColumn);
    m.put("tsv-header", tsvHeader);
    m.put("output-kind", outputKind.key());
    m.put("embedding", embedding.key());
    m.put("output-format", outputFormat.key());
    m.put("max-seq-length", maxSeqLength);
    m.put("batch-size", batchSize);
    m.put("cased", cased);
    m.put("head", head.key());
    m.put("labels", labels);
    m.put("task", task == null ? "" : task.taskName());
    m.put("bad-rows", (skipBadRows ? BadRows.SKIP : BadRows.FAIL).key());
    m.put("split-size", splitSize);
    return m;
  }
}
