package org.tinybert.augment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.AugmentSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.OutputHold;
import org.tinybert.settings.Choice;

/**
 * One augmentation run: TinyBERT's data augmentation of a training set ({@link AugmentPipeline}), plus the run's
 * manifest ({@code <output>.manifest.json}: run id, Spark application,
 * settings, counts, and the fingerprint of what the output was made from).
 *
 * <p>A rerun with the same settings and unchanged inputs does nothing: when the output and the side file are the ones
 * the manifest describes and the manifest's fingerprint matches, the job returns the recorded summary, marked skipped.
 * So a scheduler may rerun it freely (Airflow retries, a cleared task); any changed setting or input recomputes.
 */
public final class AugmentRun {
  private static final Logger LOG = LoggerFactory.getLogger(AugmentRun.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final String MANIFEST_SUFFIX = ".manifest.json";

  private AugmentRun() {}

  /**
   * What a run did.
   *
   * @param summary this run's summary, or, when skipped, the summary of the run that made the output
   * @param skipped whether the output was already finished for these settings and inputs, so nothing ran
   */
  public record Result(AugmentSummary summary, boolean skipped) {}

  /** Runs the augmentation on {@code spark}, unless its output is already finished; see the class comment. */
  public static Result run(SparkSession spark, AugmentSettings settings) throws IOException {
    // Held before anything is read: a second run on the output stops here, changing nothing.
    try (OutputHold hold = OutputHold.take(spark.sparkContext(), settings.output(), settings.holdStaleAfter())) {
      return run(spark, settings, hold);
    }
  }

  private static Result run(SparkSession spark, AugmentSettings settings, OutputHold hold) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    // Taken before the run: an input changed while the job reads it makes the next run recompute.
    Map<String, Object> fingerprint = fingerprint(settings, conf);
    Optional<AugmentSummary> done = finished(settings, fingerprint, conf);
    if (done.isPresent()) {
      LOG.info("augment: {} is already finished for these settings and inputs ({}): nothing to do",
          settings.output(), manifest(settings.output()));
      return new Result(done.get(), true);
    }

    String runId = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> resolved = components(settings);
    LOG.info("augment run {}: settings {}", runId, resolved);
    LOG.info("engine: {} (executors resolve {} on their own backend)", settings.engine().describe(),
        settings.engine());
    AugmentSummary summary = AugmentPipeline.run(spark, settings, hold);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("command", "augment");
    manifest.put("run_id", runId);
    manifest.put("spark_app_id", spark.sparkContext().applicationId());
    manifest.put("spark_version", spark.version());
    manifest.put("engine", settings.engine().describe());
    manifest.put("settings", resolved);
    manifest.put("summary", components(summary));
    manifest.put("fingerprint", fingerprint);
    manifest.put("outputs", outputs(settings, conf));
    // Written last: an output without its manifest (a crash in between) is recomputed, never trusted.
    hold.check();
    HadoopIO.writeAtomically(manifest(settings.output()), conf,
        JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
    return new Result(summary, false);
  }

  public static Path manifest(Path output) {
    return new Path(output.getParent(), output.getName() + MANIFEST_SUFFIX);
  }

  /**
   * What the output is made from: every setting, and the size and modification time of each input file (of every
   * file under a directory, by relative name). Size and time rather than a content hash, as make and rsync's quick
   * check do: hashing a GloVe file would read gigabytes on every rerun.
   */
  public static Map<String, Object> fingerprint(AugmentSettings s, Configuration conf) throws IOException {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("input", files(s.input(), conf));
    inputs.put("glove", files(s.glove(), conf));
    inputs.put("mlm", files(s.mlm(), conf));
    Map<String, Object> f = new LinkedHashMap<>();
    Map<String, Object> settings = components(s);
    // The engine changes how the output is computed, not what it is; the hold's limit changes neither.
    settings.remove("engine");
    settings.remove("holdStaleAfter");
    f.put("settings", settings);
    f.put("inputs", inputs);
    return f;
  }

  /** The output (and side file) as the run left them, so a replaced or truncated output is not taken as finished. */
  private static Map<String, Object> outputs(AugmentSettings s, Configuration conf) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("output", files(s.output(), conf));
    if (s.sideOutput() != null) m.put("side_output", files(s.sideOutput(), conf));
    return m;
  }

  /** The recorded summary when the output exists and its manifest matches {@code fingerprint} and the outputs. */
  private static Optional<AugmentSummary> finished(AugmentSettings s, Map<String, Object> fingerprint,
      Configuration conf) throws IOException {
    Path manifestPath = manifest(s.output());
    if (!HadoopIO.exists(s.output(), conf) || !HadoopIO.exists(manifestPath, conf)) return Optional.empty();
    if (s.sideOutput() != null && !HadoopIO.exists(s.sideOutput(), conf)) return Optional.empty();
    JsonNode recorded;
    try {
      recorded = JSON.readTree(HadoopIO.readAll(manifestPath, conf));
    } catch (IOException e) {
      LOG.warn("augment: unreadable manifest {} ({}): recomputing", manifestPath, e.getMessage());
      return Optional.empty();
    }
    // Through JSON text on both sides, so numbers compare by value (a long written is an int read back).
    JsonNode now = JSON.readTree(JSON.writeValueAsBytes(fingerprint));
    if (!now.equals(recorded.get("fingerprint"))) {
      LOG.info("augment: {} was made with other settings or inputs than these: recomputing", s.output());
      return Optional.empty();
    }
    JsonNode outputs = JSON.readTree(JSON.writeValueAsBytes(outputs(s, conf)));
    if (!outputs.equals(recorded.get("outputs"))) {
      LOG.info("augment: {} changed since its manifest was written: recomputing", s.output());
      return Optional.empty();
    }
    return Optional.of(JSON.treeToValue(recorded.get("summary"), AugmentSummary.class));
  }

  /** Size and modification time of a file, or of every file under a directory by relative name. */
  private static Map<String, Object> files(Path p, Configuration conf) throws IOException {
    FileSystem fs = HadoopIO.fs(p, conf);
    FileStatus st = fs.getFileStatus(p);
    if (!st.isDirectory()) return file(st);
    Map<String, Object> m = new TreeMap<>();
    String root = fs.makeQualified(p).toUri().getPath();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      String path = f.getPath().toUri().getPath();
      m.put(path.startsWith(root) ? path.substring(root.length()).replaceFirst("^/", "") : path, file(f));
    }
    return m;
  }

  private static Map<String, Object> file(FileStatus st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bytes", st.getLen());
    m.put("modified", st.getModificationTime());
    return m;
  }

  /**
   * A record's components by name, values as JSON-friendly objects (paths and tasks as text, a {@link Choice} as the
   * setting spells it).
   */
  public static Map<String, Object> components(Record r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      m.put(c.getName(), v instanceof Choice choice ? choice.key()
          : v == null || v instanceof Number || v instanceof Boolean || v instanceof java.util.List ? v : v.toString());
    }
    return m;
  }
}
