package org.tinybert.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tinybert.run.MetricsRound;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunManifest;

/**
 * A run's records next to its outputs: {@value RunFiles#METRICS} (one {@link MetricsRound} per averaging round) and
 * {@value RunFiles#MANIFEST} ({@link RunManifest}: settings, inputs, counts, versions, Spark application id).
 *
 * <p>On resume, rounds after the checkpoint being resumed from are dropped so the curve has no duplicates.
 */
public final class RunLog {
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
    Path metrics = new Path(dir, RunFiles.METRICS);
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

  /** The recorded rounds as read. */
  public List<MetricsRound> rounds() {
    List<MetricsRound> out = new ArrayList<>();
    for (String l : lines) {
      try {
        out.add(MetricsRound.parse(l));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** The recorded rounds as JSON trees, every field as written. */
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
  public void append(MetricsRound record) throws IOException {
    checkHold();
    String line = record.toJson();
    lines.add(line);
    Path metrics = new Path(dir, RunFiles.METRICS);
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

  /** Writes {@value RunFiles#MANIFEST}. */
  public void writeManifest(RunManifest manifest) throws IOException {
    checkHold();
    HadoopIO.writeAtomically(new Path(dir, RunFiles.MANIFEST), conf, manifest.toBytes());
  }
}
