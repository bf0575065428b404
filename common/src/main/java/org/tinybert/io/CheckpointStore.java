package org.tinybert.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of a training run under {@code <output>/checkpoints/}: each one a directory {@code ckpt-<round>} holding
 * the DL4J graph with its updater state ({@code graph.zip}), the run's progress ({@code state.json}), whatever else
 * the job adds (the student as a Hugging Face directory) and, last, the SHA-256 of every one of those files
 * ({@code SHA256SUMS}, in {@code sha256sum}'s format, so {@code sha256sum -c} checks a copy by hand).
 *
 * <p>A checkpoint is assembled under a temporary name and renamed into place, then {@code LATEST} is rewritten
 * atomically, so a crash at any moment leaves the previous checkpoint intact. Storage can still damage a finished one
 * (a bad copy, a failing disk): {@link #restoreLatest()} verifies the checksums and resumes from the newest intact
 * checkpoint, warning about each damaged one it passes over.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  public static final String GRAPH = "graph.zip";
  public static final String STATE = "state.json";
  public static final String CHECKSUMS = "SHA256SUMS";
  private static final String LATEST = "LATEST";
  private static final String PREFIX = "ckpt-";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final Configuration conf;
  private final int keep;
  /** The run's hold on its output, checked before a checkpoint is written and before it is put in place; or null. */
  private OutputHold hold;

  public CheckpointStore(Path outputDir, Configuration conf, int keep) {
    this.dir = new Path(outputDir, "checkpoints");
    this.conf = conf;
    this.keep = keep;
  }

  /** Checks {@code hold} before each checkpoint's writes and its rename into place: a run that lost it writes none. */
  public CheckpointStore guardedBy(OutputHold hold) {
    this.hold = hold;
    return this;
  }

  private void checkHold() {
    if (hold != null) hold.check();
  }

  /** A saved checkpoint: its directory and progress. */
  public record Checkpoint(Path dir, TrainingState state) {
    public Path graph() {
      return new Path(dir, GRAPH);
    }
  }

  /** A checkpoint read back: where it was, and its graph with parameters and updater state. */
  public record Restored(Checkpoint checkpoint, ComputationGraph graph) {}

  /** Writes the extra contents of a checkpoint directory (e.g. the student as a Hugging Face model). */
  @FunctionalInterface
  public interface Extra {
    void write(Path checkpointDir) throws IOException;
  }

  public Path dir() {
    return dir;
  }

  /** Saves a checkpoint of {@code graph} at {@code state}; returns its directory. */
  public Path save(ComputationGraph graph, TrainingState state, Extra extra) throws IOException {
    checkHold();
    FileSystem fs = HadoopIO.fs(dir, conf);
    fs.mkdirs(dir);
    String name = String.format("%s%09d", PREFIX, state.round());
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + "." + UUID.randomUUID() + ".tmp");
    try {
      fs.mkdirs(tmp);
      try (var out = fs.create(new Path(tmp, GRAPH), false)) {
        ModelSerializer.writeModel(graph, out, true);
      }
      if (extra != null) extra.write(tmp);
      try (var out = fs.create(new Path(tmp, STATE), false)) {
        out.write(JSON.writeValueAsBytes(state));
      }
      // Hashed as read back from the file system: what the checksums vouch for is what landed there.
      StringBuilder sums = new StringBuilder();
      for (Map.Entry<String, String> e : hashFiles(fs, tmp).entrySet()) {
        sums.append(e.getValue()).append("  ").append(e.getKey()).append('\n');
      }
      try (var out = fs.create(new Path(tmp, CHECKSUMS), false)) {
        out.write(sums.toString().getBytes(StandardCharsets.UTF_8));
      }
      checkHold();
      if (fs.exists(target)) fs.delete(target, true);
      if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, true);
    }
    HadoopIO.writeAtomically(new Path(dir, LATEST), conf, name.getBytes(StandardCharsets.UTF_8));
    prune(fs);
    return target;
  }

  /**
   * The newest intact checkpoint with its graph restored, if there is any checkpoint. One whose files fail their
   * checksums, lack one, or cannot be read is passed over with a warning naming it; when every checkpoint is damaged
   * this throws, naming each one and what is wrong with it.
   */
  public Optional<Restored> restoreLatest() throws IOException {
    FileSystem fs = HadoopIO.fs(dir, conf);
    if (!fs.exists(dir)) return Optional.empty();
    List<Path> all = checkpoints(fs);
    List<String> damaged = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path c = all.get(i);
      try {
        verify(fs, c);
        TrainingState state;
        try (InputStream in = HadoopIO.open(new Path(c, STATE), conf)) {
          state = JSON.readValue(in, TrainingState.class);
        }
        Checkpoint ck = new Checkpoint(c, state);
        ComputationGraph graph;
        try (InputStream in = HadoopIO.open(ck.graph(), conf)) {
          graph = ModelSerializer.restoreComputationGraph(in, true);
        }
        if (!damaged.isEmpty()) {
          LOG.warn("resuming from {}, the newest intact checkpoint; passed over as damaged: {}", c,
              String.join("; ", damaged));
        }
        return Optional.of(new Restored(ck, graph));
      } catch (IOException | RuntimeException e) {
        // RuntimeException too: DL4J and ND4J report a corrupt zip entry or array as one.
        String why = c.getName() + " (" + e.getMessage() + ")";
        LOG.warn("checkpoint {} is damaged and cannot be resumed from: {}", c, e.getMessage());
        damaged.add(why);
      }
    }
    if (damaged.isEmpty()) return Optional.empty();
    throw new IOException("no intact checkpoint under " + dir + " to resume from; damaged: "
        + String.join("; ", damaged) + ". Restore a good copy, or delete " + dir + " to train from the start");
  }

  /** Checks every file {@code SHA256SUMS} lists; throws naming the first that is missing or differs. */
  private void verify(FileSystem fs, Path ckpt) throws IOException {
    Path sumsFile = new Path(ckpt, CHECKSUMS);
    if (!fs.exists(sumsFile)) {
      // Written by a version without checksums: the restore itself is the only check.
      LOG.warn("checkpoint {} has no {}: it cannot be verified", ckpt, CHECKSUMS);
      if (!fs.exists(new Path(ckpt, STATE)) || !fs.exists(new Path(ckpt, GRAPH))) {
        throw new IOException("it lacks " + STATE + " or " + GRAPH);
      }
      return;
    }
    Map<String, String> expected = new LinkedHashMap<>();
    int lineNo = 0;
    for (String line : new String(HadoopIO.readAll(sumsFile, conf), StandardCharsets.UTF_8).split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) continue;
      int sep = line.indexOf("  ");
      if (sep != 64) throw new IOException(sumsFile + ": line " + lineNo + " is not '<sha-256 hex>  <file>'");
      expected.put(line.substring(sep + 2), line.substring(0, sep));
    }
    for (String required : List.of(STATE, GRAPH)) {
      if (!expected.containsKey(required)) throw new IOException(sumsFile + " does not list " + required);
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path f = new Path(ckpt, e.getKey());
      if (!fs.exists(f)) throw new IOException(e.getKey() + " is missing");
      String actual = sha256(fs, f);
      if (!actual.equals(e.getValue())) {
        throw new IOException(e.getKey() + ": SHA-256 " + actual + " differs from " + e.getValue() + " recorded in "
            + CHECKSUMS + " (" + fs.getFileStatus(f).getLen() + " bytes now)");
      }
    }
  }

  /** SHA-256 of every file below {@code root}, keyed by its path relative to it, in a stable order. */
  private static Map<String, String> hashFiles(FileSystem fs, Path root) throws IOException {
    String prefix = fs.makeQualified(root).toUri().getPath() + "/";
    List<Path> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) files.add(it.next().getPath());
    files.sort(Comparator.comparing(Path::toString));
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : files) {
      String rel = fs.makeQualified(f).toUri().getPath();
      if (!rel.startsWith(prefix)) throw new IOException(f + " is not below " + root);
      out.put(rel.substring(prefix.length()), sha256(fs, f));
    }
    return out;
  }

  private static String sha256(FileSystem fs, Path f) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(fs.open(f), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Every checkpoint directory, oldest first (names sort by round). */
  private List<Path> checkpoints(FileSystem fs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isDirectory() && s.getPath().getName().startsWith(PREFIX)) out.add(s.getPath());
    }
    out.sort(Comparator.comparing(Path::getName));
    return out;
  }

  private void prune(FileSystem fs) throws IOException {
    List<Path> all = checkpoints(fs);
    for (int i = 0; i < all.size() - keep; i++) fs.delete(all.get(i), true);
  }
}
