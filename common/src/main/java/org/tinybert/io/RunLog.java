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
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's records next to its outputs: {@code metrics.jsonl} (one JSON object per averaging round) and
 * {@code manifest.json} (settings, inputs, counts, versions, Spark application id).
 *
 * <p>On resume, rounds after the checkpoint being resumed from are dropped so the curve has no duplicates.
 */
public final class RunLog {
  public static final String METRICS = "metrics.jsonl";
  public static final String MANIFEST = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Configuration conf;
  private final List<String> lines = new ArrayList<>();
  /** Whether the file holds exactly {@link #lines} (so a new line may be appended to it). */
  private boolean consistent;
  /** The run's hold on its output, checked before every write; or null. */
  private OutputHold hold;

  /** Opens the log of {@code dir}, keeping the recorded rounds up to {@code keepUpToRound}. */
  public RunLog(Path dir, Configuration conf, long keepUpToRound) {
    this.dir = dir;
    this.conf = conf;
    Path metrics = new Path(dir, METRICS);
    if (HadoopIO.exists(metrics, conf)) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(HadoopIO.open(metrics, conf),
          StandardCharsets.UTF_8))) {
        List<String> all = r.lines().filter(l -> !l.isBlank()).toList();
        for (int i = 0; i < all.size(); i++) {
          JsonNode n;
          try {
            n = JSON.readTree(all.get(i));
          } catch (IOException e) {
            // An append cut short by a crash leaves a partial last line: that round is trained again anyway.
            if (i == all.size() - 1) break;
            throw new IOException("line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
          }
          if (n.path("round").asLong(Long.MAX_VALUE) <= keepUpToRound) lines.add(all.get(i));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
      }
    }
  }

  /** Checks {@code hold} before every write: a run that lost it records nothing more. */
  public RunLog guardedBy(OutputHold hold) {
    this.hold = hold;
    return this;
  }

  private void checkHold() {
    if (hold != null) hold.check();
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

  /**
   * Adds one round's record to {@code metrics.jsonl}: appended where the file system appends (HDFS), so a long run
   * does not rewrite a growing file every round; rewritten whole, atomically, elsewhere (S3, the local file system).
   * The first record after opening always rewrites, dropping the rounds a resume discards.
   */
  public void append(Map<String, Object> record) throws IOException {
    checkHold();
    String line = JSON.writeValueAsString(record);
    lines.add(line);
    Path metrics = new Path(dir, METRICS);
    FileSystem fs = HadoopIO.fs(metrics, conf);
    if (consistent && fs.hasPathCapability(metrics, CommonPathCapabilities.FS_APPEND)) {
      try (FSDataOutputStream out = fs.append(metrics)) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return;
    }
    String all = String.join("\n", lines) + "\n";
    HadoopIO.writeAtomically(metrics, conf, all.getBytes(StandardCharsets.UTF_8));
    consistent = true;
  }

  /** Writes {@code manifest.json}. */
  public void writeManifest(Map<String, Object> manifest) throws IOException {
    checkHold();
    HadoopIO.writeAtomically(new Path(dir, MANIFEST), conf,
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
  }
}
