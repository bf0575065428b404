package org.tinybert.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.InferSettings;
import org.tinybert.config.OutputKind;
import org.tinybert.config.Pooling;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.InputFileException;
import org.tinybert.io.InputFiles;
import org.tinybert.io.OutputHold;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.model.core.BertConfig;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.scoring.Scorer;

/**
 * {@code tinybert infer}: a model over every row of a table, as a Spark job.
 *
 * <ol>
 *   <li>The driver lists the input (a file or a directory of parts), plans units of work ({@link InferPlan}), loads
 *       the model once ({@link ExecutorRuntime}: in local mode the executors share this copy) and checks that it can
 *       give what the settings ask for.
 *   <li>Unless the output is finished for this fingerprint ({@link InferOutput}), the units without a committed part
 *       are scored, one Spark task each ({@link UnitRunner}); each commits its own part.
 *   <li>The driver adds up the parts' records, puts the finished directory in place and writes the manifest.
 * </ol>
 */
public final class InferPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(InferPipeline.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Skipped rows the summary names. */
  static final int BAD_ROWS_KEPT = 10;

  private InferPipeline() {}

  /** What the model gives for these settings: what to read from it, what to write, the label names. */
  record Resolved(Scorer.Reads reads, OutputSchema.Written written, List<String> labels) {}

  public static InferSummary run(SparkSession spark, InferSettings s) throws IOException {
    // Held before anything is read: a second run on the output stops here, changing nothing.
    try (OutputHold hold = OutputHold.take(spark.sparkContext(), s.output(), s.holdStaleAfter())) {
      return run(spark, s, hold);
    }
  }

  private static InferSummary run(SparkSession spark, InferSettings s, OutputHold hold) throws IOException {
    long t0 = System.nanoTime();
    String runId = UUID.randomUUID().toString().substring(0, 8);
    LOG.info("infer {}: settings {}", runId, s.toMap());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String input = s.input().toString();
    if (InferPlan.within(s.output(), s.input(), conf) || InferPlan.within(s.input(), s.output(), conf)) {
      throw new InputException("output " + s.output() + " and input " + input + " must not contain each "
          + "other");
    }
    List<InputFiles.Listed> files = InputFiles.list(List.of(input), "input", InputException::new, conf);
    ExecutorRuntime.Model model = ExecutorRuntime.model(s.model(), conf);
    // Read now, so a directory without a vocabulary fails here and not on the executors.
    model.vocab();
    Resolved r = resolve(s, model);
    InferPlan.Planned plan = InferPlan.plan(s, files, conf);
    OutputSchema schema = new OutputSchema(plan.columns(), r.written(), r.labels());
    for (String c : schema.resultColumns()) {
      if (schema.columnNames().indexOf(c) != schema.columnNames().lastIndexOf(c)) {
        throw new InputException("the input column '" + c + "' has the name of an output column of "
            + r.written().name().toLowerCase(java.util.Locale.ROOT) + ": keep another column, or rename it");
      }
    }
    // Through JSON text, as it is read back from _plan.json: numbers then compare by value (a long written is an int
    // read back).
    JsonNode fingerprint = JSON.readTree(JSON.writeValueAsBytes(fingerprint(s, model.dir(), files, plan, schema,
        conf)));

    InferOutput out = new InferOutput(s.output(), conf);
    if (out.finished(fingerprint, plan.units(), s.outputFormat())) {
      JsonNode manifest = out.finishedManifest();
      LOG.info("infer {}: {} is already finished for these settings and inputs: nothing to do", runId, out.output());
      return JSON.treeToValue(manifest.get("summary"), InferSummary.class).asAlreadyDone();
    }
    hold.check();
    Map<Integer, PartStats> done = out.prepare(fingerprint, plan.units(), s.outputFormat());
    List<InferUnit> todo = plan.units().stream().filter(u -> !done.containsKey(u.index())).toList();
    LOG.info("infer {}: {} files, {} parts of {}, {} committed before; scoring {} with {}", runId, files.size(),
        plan.units().size(), plan.format().key(), done.size(), todo.size(), model.dir());

    InferSpec spec = new InferSpec(model.dir().toString(),
        TokenizerFiles.lowerCaseForCased(s.cased(), InferSettings.CASED.full(), model.dir(), conf),
        s.effectiveMaxSeqLength(model.model().config().maxPositionEmbeddings()), s.batchSize(),
        r.reads(), s.head(), schema, s.outputFormat(), s.skipBadRows(), out.staging().toString(), runId, s.engine());
    long scoring0 = System.nanoTime();
    List<PartStats> scored = todo.isEmpty() ? List.of() : score(jsc, spec, todo, conf);
    double scoringSeconds = (System.nanoTime() - scoring0) / 1e9;

    Map<Integer, PartStats> all = out.committed(out.staging(), plan.units(), s.outputFormat());
    if (all.size() != plan.units().size()) {
      throw new IllegalStateException("infer " + runId + ": " + all.size() + " of " + plan.units().size()
          + " parts are committed in " + out.staging() + " after scoring");
    }
    InferSummary summary = summarize(runId, out, plan, s, r.written(), new ArrayList<>(all.values()), scored,
        (System.nanoTime() - t0) / 1e9, scoringSeconds);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("command", "infer");
    manifest.put("run_id", runId);
    manifest.put("finished_at", Instant.now().toString());
    manifest.put("spark_app_id", spark.sparkContext().applicationId());
    manifest.put("spark_master", spark.sparkContext().master());
    manifest.put("spark_version", spark.version());
    manifest.put("settings", s.toMap());
    manifest.put("model", describe(model));
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("path", input);
    in.put("files", files.size());
    in.put("bytes", files.stream().mapToLong(InputFiles.Listed::size).sum());
    manifest.put("input", in);
    manifest.put("columns", schema.columnNames());
    manifest.put("labels", r.labels());
    manifest.put("summary", summary);
    hold.check();
    out.finish(JSON.writeValueAsBytes(manifest));
    LOG.info("infer {}: {} examples ({} bad rows skipped) in {} parts at {}; {} examples/s", runId,
        summary.examples(), summary.skipped(), summary.parts(), out.output(),
        String.format("%.2f", summary.examplesPerSecond()));
    return summary;
  }

  /** Scores the units on the executors; a bad row's error (fail mode) comes back as the task threw it. */
  private static List<PartStats> score(JavaSparkContext jsc, InferSpec spec, List<InferUnit> todo,
      Configuration conf) {
    jsc.setJobDescription("tinybert infer " + spec.runId() + ": " + todo.size() + " parts");
    try {
      return jsc.parallelize(todo, todo.size()).map(new UnitRunner(spec, new SerializableConfiguration(conf)))
          .collect();
    } catch (Exception e) { // SparkException is checked, and collect() throws it undeclared
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InputFileException bad) throw bad;
      }
      throw e;
    } finally {
      jsc.setJobDescription(null);
    }
  }

  /** Checks the model against the settings and says what to read from it and write. */
  static Resolved resolve(InferSettings s, ExecutorRuntime.Model entry) {
    BertModel m = entry.model();
    BertConfig cfg = m.config();
    Path dir = entry.dir();
    int maxSeqLength = s.effectiveMaxSeqLength(cfg.maxPositionEmbeddings());
    if (maxSeqLength > cfg.maxPositionEmbeddings()) {
      throw new InputException("max_seq_length " + maxSeqLength + " exceeds "
          + "max_position_embeddings " + cfg.maxPositionEmbeddings() + " of the model at " + dir
          + "; set " + InferSettings.SECTION.key("max-seq-length").full() + " <= " + cfg.maxPositionEmbeddings());
    }
    if (entry.vocab().size() > cfg.vocabSize()) {
      throw new InputException("vocabulary " + entry.vocab().source() + " has " + entry.vocab().size()
          + " tokens but the model at " + dir + " has vocab_size " + cfg.vocabSize());
    }
    boolean classifier = m.hasPooler() && m.hasClassifier();
    OutputKind kind = s.outputKind() == OutputKind.AUTO
        ? (classifier ? OutputKind.PROBABILITIES : OutputKind.EMBEDDINGS) : s.outputKind();
    if (kind == OutputKind.EMBEDDINGS) {
      if (s.embedding() == Pooling.POOLED && !m.hasPooler()) {
        throw new InputException("the model at " + dir + " has no pooler (bert.pooler.dense): set "
            + InferSettings.SECTION.key("embedding").full() + " = mean for the mean of its last hidden states");
      }
      return new Resolved(s.embedding() == Pooling.POOLED ? Scorer.Reads.POOLED : Scorer.Reads.MEAN,
          OutputSchema.Written.EMBEDDING, List.of());
    }
    if (!classifier) {
      throw new InputException("the model at " + dir + " has no sequence classifier (bert.pooler.dense and "
          + "classifier weights), so no " + kind.key() + "; set "
          + InferSettings.SECTION.key("output-kind").full() + " = embeddings");
    }
    int n = cfg.numLabels();
    GlueTask task = s.task();
    if (task != null && task.numLabels() != n) {
      throw new InputException("the model at " + dir + " has " + n + " output(s) but " + task + " has "
          + task.numLabels()
          + (task.outputMode() == OutputMode.REGRESSION ? " (a score)" : " labels " + task.labels()));
    }
    if (n == 1) return new Resolved(Scorer.Reads.LOGITS, OutputSchema.Written.SCORE, List.of());
    List<String> labels;
    if (!s.labels().isEmpty()) {
      if (s.labels().size() != n) {
        throw new InputException(InferSettings.SECTION.key("labels").full() + " names " + s.labels().size() + " labels "
            + s.labels() + " but the model at " + dir + " has " + n + " outputs");
      }
      labels = s.labels();
    } else if (task != null) {
      labels = GlueLabels.of(task).names();
    } else {
      labels = id2label(cfg);
    }
    return new Resolved(Scorer.Reads.LOGITS, kind == OutputKind.LABELS ? OutputSchema.Written.LABEL
        : OutputSchema.Written.LABEL_AND_PROBABILITIES, labels);
  }

  /** config.json's {@code id2label} names, LABEL_i (Hugging Face's default) where it has none. */
  static List<String> id2label(BertConfig cfg) {
    JsonNode names = cfg.raw().path("id2label");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cfg.numLabels(); i++) {
      JsonNode v = names.get(String.valueOf(i));
      out.add(v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : "LABEL_" + i);
    }
    return out;
  }

  /** What the output is made from; a run with another fingerprint does not reuse it. */
  private static Map<String, Object> fingerprint(InferSettings s, Path modelDir, List<InputFiles.Listed> files,
      InferPlan.Planned plan, OutputSchema schema, Configuration conf) {
    Map<String, Object> f = new LinkedHashMap<>();
    Map<String, Object> settings = new LinkedHashMap<>(s.toMap());
    // Where the output goes is not what it is made from.
    settings.remove("output");
    f.put("settings", settings);
    Map<String, Object> model = new TreeMap<>();
    String root = modelDir.toString();
    for (InputFiles.Listed m : InputFiles.list(List.of(root), "model directory", InputException::new,
        conf)) {
      model.put(m.path().substring(Math.min(root.length() + 1, m.path().length())), List.of(m.size(),
          m.modificationTime()));
    }
    f.put("model", model);
    Map<String, Object> input = new LinkedHashMap<>();
    for (InputFiles.Listed i : files) input.put(i.path(), List.of(i.size(), i.modificationTime()));
    f.put("input", input);
    f.put("format", plan.format().key());
    f.put("columns", schema.columnNames());
    f.put("labels", schema.labels());
    f.put("units", plan.units().stream().map(InferUnit::describe).toList());
    return f;
  }

  private static InferSummary summarize(String runId, InferOutput out, InferPlan.Planned plan, InferSettings s,
      OutputSchema.Written written, List<PartStats> all, List<PartStats> scored, double seconds,
      double scoringSeconds) {
    long rows = 0;
    long examples = 0;
    Map<String, Long> skipped = new TreeMap<>();
    for (PartStats p : all) {
      rows += p.rows();
      examples += p.examples();
      p.skipped().forEach((k, v) -> skipped.merge(k, v, Long::sum));
    }
    long examplesScored = scored.stream().mapToLong(PartStats::examples).sum();
    double taskSeconds = scored.stream().mapToDouble(PartStats::seconds).sum();
    return new InferSummary(runId, out.output().toString(), out.manifest().toString(), plan.format().key(),
        s.outputFormat().key(), written.name().toLowerCase(java.util.Locale.ROOT), plan.units().size(),
        scored.size(),
        plan.units().size() - scored.size(), rows, examples, skipped.values().stream().mapToLong(Long::longValue).sum(),
        skipped, badRows(plan, all), examplesScored, seconds, scoringSeconds,
        scoringSeconds > 0 ? examplesScored / scoringSeconds : 0, taskSeconds, false);
  }

  /**
   * The first skipped rows by file and line (Parquet: row). A line-format unit counts lines from its own first line;
   * the lines of the units before it in the file (all committed now) give the line in the file.
   */
  static List<String> badRows(InferPlan.Planned plan, List<PartStats> all) {
    Map<Integer, PartStats> byUnit = new TreeMap<>();
    for (PartStats p : all) byUnit.put(p.unit(), p);
    List<String> out = new ArrayList<>();
    Map<String, Long> linesBefore = new TreeMap<>();
    for (InferUnit u : plan.units()) {
      PartStats p = byUnit.get(u.index());
      long before = linesBefore.getOrDefault(u.file(), 0L);
      linesBefore.put(u.file(), before + p.lines());
      for (PartStats.BadRowExample b : p.badRows()) {
        if (out.size() == BAD_ROWS_KEPT) return out;
        out.add(u.format().lines() ? u.file() + ":" + (before + b.position()) + ": " + b.reason()
            : u.file() + ": row " + b.position() + ": " + b.reason());
      }
    }
    return out;
  }

  private static Map<String, Object> describe(ExecutorRuntime.Model m) {
    BertConfig c = m.model().config();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("path", m.dir().toString());
    d.put("layers", c.numHiddenLayers());
    d.put("hidden_size", c.hiddenSize());
    d.put("heads", c.numAttentionHeads());
    d.put("intermediate_size", c.intermediateSize());
    d.put("classifier", m.model().hasClassifier());
    d.put("pooler", m.model().hasPooler());
    d.put("num_labels", m.model().hasClassifier() ? c.numLabels() : 0);
    return d;
  }
}
