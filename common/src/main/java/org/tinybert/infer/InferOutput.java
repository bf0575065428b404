package org.tinybert.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.OutputFormat;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;

/**
 * Where a run's output goes and how it appears whole. Parts are committed one by one into a hidden staging directory
 * beside the output ({@code .<name>.staging}); when every unit is committed the staging directory gets
 * {@code _SUCCESS} and is renamed to the output, and the manifest is written beside it ({@code <name>.manifest.json},
 * also kept inside as {@code _manifest.json}). A reader never sees a directory with some parts missing.
 *
 * <p>The directory's {@code _plan.json} holds the run's fingerprint (settings, model and input files by size and
 * modification time, the units). A rerun with the same fingerprint finds the output finished and does nothing; after
 * a crash it finds the staging directory and scores only the units without a committed part; with another fingerprint
 * it starts a new staging directory and replaces the output at the end. Every name inside starts with {@code _} or
 * {@code .} except the parts, so Spark, Hive and Hadoop readers see only the parts.
 */
public final class InferOutput {
  private static final Logger LOG = LoggerFactory.getLogger(InferOutput.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PLAN = "_plan.json";
  static final String PARTS = "_parts";
  static final String TEMPORARY = "_temporary";
  static final String SUCCESS = "_SUCCESS";
  static final String MANIFEST_INSIDE = "_manifest.json";
  static final String MANIFEST_SUFFIX = ".manifest.json";

  private final Configuration conf;
  private final FileSystem fs;
  private final Path output;
  private final Path staging;
  private final Path manifest;

  public InferOutput(Path output, Configuration conf) {
    this.conf = conf;
    this.fs = HadoopIO.fs(output, conf);
    this.output = fs.makeQualified(output);
    Path parent = this.output.getParent();
    if (parent == null) throw new InputException("output " + output + " must not be a file system's root");
    staging = new Path(parent, "." + this.output.getName() + ".staging");
    manifest = new Path(parent, this.output.getName() + MANIFEST_SUFFIX);
  }

  public Path output() {
    return output;
  }

  public Path staging() {
    return staging;
  }

  public Path manifest() {
    return manifest;
  }

  /** The record beside a committed part. */
  static Path statsPath(Path dir, String part) {
    return new Path(new Path(dir, PARTS), part + ".json");
  }

  /** Commits a part's record (after the part itself). */
  static void writeStats(Path dir, PartStats stats, Configuration conf) throws IOException {
    HadoopIO.writeAtomically(statsPath(dir, stats.part()), conf, JSON.writeValueAsBytes(stats));
  }

  /** Whether the output is finished for this fingerprint: its plan matches, it has _SUCCESS and every part. */
  boolean finished(JsonNode fingerprint, List<InferUnit> units, OutputFormat format) throws IOException {
    if (!fs.exists(new Path(output, SUCCESS)) || !samePlan(output, fingerprint)) return false;
    int n = committed(output, units, format).size();
    if (n < units.size()) LOG.warn("infer: {} has {} of its {} parts: scoring the rest", output, n, units.size());
    return n == units.size();
  }

  /**
   * Makes the staging directory ready for this fingerprint and returns the units already committed there. Refuses an
   * output that this job did not write; takes back a finished output of the same plan that lost parts.
   */
  Map<Integer, PartStats> prepare(JsonNode fingerprint, List<InferUnit> units, OutputFormat format)
      throws IOException {
    if (fs.exists(output) && !fs.exists(new Path(output, PLAN))) {
      throw new InputException("output " + output + " exists and was not written by tinybert infer (it has "
          + "no " + PLAN + "): remove it or choose another output");
    }
    if (!fs.exists(staging) && fs.exists(output) && samePlan(output, fingerprint)) {
      if (!fs.rename(output, staging)) throw new IOException("cannot rename " + output + " to " + staging);
      fs.delete(new Path(staging, SUCCESS), false);
      LOG.info("infer: {} is incomplete: completing it in {}", output, staging);
    }
    if (fs.exists(staging) && !samePlan(staging, fingerprint)) {
      LOG.info("infer: {} holds a run with other settings or inputs: starting again", staging);
      if (!fs.delete(staging, true)) throw new IOException("cannot delete " + staging);
    }
    if (!fs.exists(new Path(staging, PLAN))) {
      fs.mkdirs(staging);
      HadoopIO.writeAtomically(new Path(staging, PLAN), conf, JSON.writeValueAsBytes(fingerprint));
    }
    return committed(staging, units, format);
  }

  /** The units with a record in {@code dir} and a part of the recorded size, by index. */
  Map<Integer, PartStats> committed(Path dir, List<InferUnit> units, OutputFormat format) throws IOException {
    Map<String, Long> sizes = new HashMap<>();
    for (FileStatus f : list(dir)) sizes.put(f.getPath().getName(), f.getLen());
    Map<String, FileStatus> records = new HashMap<>();
    for (FileStatus f : list(new Path(dir, PARTS))) records.put(f.getPath().getName(), f);
    Map<Integer, PartStats> out = new TreeMap<>();
    for (InferUnit u : units) {
      String part = u.partName(format);
      FileStatus rec = records.get(part + ".json");
      Long size = sizes.get(part);
      if (rec == null || size == null) continue;
      PartStats st;
      try {
        st = JSON.readValue(HadoopIO.readAll(rec.getPath(), conf), PartStats.class);
      } catch (IOException e) {
        LOG.warn("infer: unreadable {} ({}): scoring {} again", rec.getPath(), e.getMessage(), part);
        continue;
      }
      if (st.unit() == u.index() && st.file().equals(u.file()) && st.bytes() == size) out.put(u.index(), st);
    }
    return out;
  }

  private FileStatus[] list(Path dir) throws IOException {
    return fs.exists(dir) ? fs.listStatus(dir) : new FileStatus[0];
  }

  private boolean samePlan(Path dir, JsonNode fingerprint) throws IOException {
    Path plan = new Path(dir, PLAN);
    if (!fs.exists(plan)) return false;
    try {
      return fingerprint.equals(JSON.readTree(HadoopIO.readAll(plan, conf)));
    } catch (IOException e) {
      LOG.warn("infer: unreadable {} ({}): taken as another run's", plan, e.getMessage());
      return false;
    }
  }

  /** Puts the finished staging directory in the output's place and writes the manifest beside it. */
  void finish(byte[] manifestJson) throws IOException {
    fs.delete(new Path(staging, TEMPORARY), true);
    HadoopIO.writeAtomically(new Path(staging, MANIFEST_INSIDE), conf, manifestJson);
    HadoopIO.writeAtomically(new Path(staging, SUCCESS), conf, new byte[0]);
    if (fs.exists(output) && !fs.delete(output, true)) throw new IOException("cannot replace " + output);
    if (!fs.rename(staging, output)) throw new IOException("cannot rename " + staging + " to " + output);
    HadoopIO.writeAtomically(manifest, conf, manifestJson);
  }

  /** The finished output's manifest (rewriting the one beside it from the copy inside when it went missing). */
  JsonNode finishedManifest() throws IOException {
    byte[] inside = HadoopIO.readAll(new Path(output, MANIFEST_INSIDE), conf);
    if (!fs.exists(manifest)) HadoopIO.writeAtomically(manifest, conf, inside);
    return JSON.readTree(inside);
  }
}
