package org.tinybert.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A run's records next to its outputs: {@code metrics.jsonl} (one JSON object per averaging round) and
 * {@code manifest.json} (settings, inputs, counts, versions, Spark application id).
 *
 * <p>Not every Hadoop file system appends (S3 does not), so the metrics file is rewritten whole, atomically, after each
 * round; on resume, rounds after the checkpoint being resumed from are dropped so the curve has no duplicates.
 */
public final class RunLog {
  public static final String METRICS = "metrics.jsonl";
  public static final String MANIFEST = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Configuration conf;
  private final List<String> lines = new ArrayList<>();

  /** Opens the log of {@code dir}, keeping the recorded rounds up to {@code keepUpToRound}. */
  public RunLog(Path dir, Configuration conf, long keepUpToRound) {
    this.dir = dir;
    this.conf = conf;
    Path metrics = new Path(dir, METRICS);
    if (HadoopIO.exists(metrics, conf)) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(HadoopIO.open(metrics, conf),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) continue;
          JsonNode n = JSON.readTree(line);
          if (n.path("round").asLong(Long.MAX_VALUE) <= keepUpToRound) lines.add(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
      }
    }
  }

  public List<JsonNode> records() {
    List<JsonNode> out = new ArrayList<>();
    for (String l : lines) {
      try {
        out.add(JSON.readTree(l));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Appends one round's record and rewrites {@code metrics.jsonl}. */
  public void append(Map<String, Object> record) throws IOException {
    lines.add(JSON.writeValueAsString(record));
    String all = String.join("\n", lines) + "\n";
    HadoopIO.writeAtomically(new Path(dir, METRICS), conf, all.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code manifest.json}. */
  public void writeManifest(Map<String, Object> manifest) throws IOException {
    HadoopIO.writeAtomically(new Path(dir, MANIFEST), conf,
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
  }
}
