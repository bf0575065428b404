package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.augment.AugmentPipeline;
import org.tinybert.augment.AugmentSummary;
import org.tinybert.config.AugmentSettings;
import org.tinybert.io.HadoopIO;

/**
 * {@code tinybert augment} as a Spark job: TinyBERT's data augmentation of a GLUE training set
 * ({@link AugmentPipeline}), plus the run's manifest ({@code <output>.manifest.json}: run id, Spark application,
 * settings, counts).
 */
public final class AugmentJob {
  private static final Logger LOG = LoggerFactory.getLogger(AugmentJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AugmentJob() {}

  /** Runs the augmentation on {@code spark} and returns what it did. */
  public static AugmentSummary run(SparkSession spark, AugmentSettings settings) throws IOException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> resolved = components(settings);
    LOG.info("augment run {}: settings {}", runId, resolved);
    AugmentSummary summary = AugmentPipeline.run(spark, settings);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("command", "augment");
    manifest.put("run_id", runId);
    manifest.put("spark_app_id", spark.sparkContext().applicationId());
    manifest.put("spark_version", spark.version());
    manifest.put("settings", resolved);
    manifest.put("summary", components(summary));
    Path out = settings.output();
    HadoopIO.writeAtomically(new Path(out.getParent(), out.getName() + ".manifest.json"),
        spark.sparkContext().hadoopConfiguration(),
        JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
    return summary;
  }

  /** A record's components by name, values as JSON-friendly objects (paths and tasks as text). */
  static Map<String, Object> components(Record r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      m.put(c.getName(), v == null || v instanceof Number || v instanceof Boolean || v instanceof java.util.List
          ? v : v.toString());
    }
    return m;
  }
}
