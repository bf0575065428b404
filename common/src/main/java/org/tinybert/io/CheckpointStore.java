package org.tinybert.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Checkpoints of a training run under {@code <output>/checkpoints/}: each one a directory {@code ckpt-<round>} holding
 * the DL4J graph with its updater state ({@code graph.zip}), the run's progress ({@code state.json}) and whatever else
 * the job adds (the student as a Hugging Face directory). A checkpoint is assembled under a temporary name and renamed
 * into place, then {@code LATEST} is rewritten atomically, so a crash at any moment leaves the previous checkpoint
 * intact and findable.
 */
public final class CheckpointStore {
  public static final String GRAPH = "graph.zip";
  public static final String STATE = "state.json";
  private static final String LATEST = "LATEST";
  private static final String PREFIX = "ckpt-";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final Configuration conf;
  private final int keep;

  public CheckpointStore(Path outputDir, Configuration conf, int keep) {
    this.dir = new Path(outputDir, "checkpoints");
    this.conf = conf;
    this.keep = keep;
  }

  /** A saved checkpoint: its directory and progress. */
  public record Checkpoint(Path dir, TrainingState state) {
    public Path graph() {
      return new Path(dir, GRAPH);
    }
  }

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
      if (fs.exists(target)) fs.delete(target, true);
      if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, true);
    }
    HadoopIO.writeAtomically(new Path(dir, LATEST), conf, name.getBytes(StandardCharsets.UTF_8));
    prune(fs);
    return target;
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Checkpoint> latest() {
    try {
      FileSystem fs = HadoopIO.fs(dir, conf);
      if (!fs.exists(dir)) return Optional.empty();
      Path pointer = new Path(dir, LATEST);
      if (fs.exists(pointer)) {
        String name = new String(HadoopIO.readAll(pointer, conf), StandardCharsets.UTF_8).trim();
        Optional<Checkpoint> c = read(new Path(dir, name));
        if (c.isPresent()) return c;
      }
      // LATEST missing or pointing at a removed checkpoint: fall back to the newest complete one.
      List<Path> all = complete(fs);
      return all.isEmpty() ? Optional.empty() : read(all.get(all.size() - 1));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoints under " + dir + ": " + e.getMessage(), e);
    }
  }

  private Optional<Checkpoint> read(Path ckpt) throws IOException {
    Path state = new Path(ckpt, STATE);
    if (!HadoopIO.exists(state, conf) || !HadoopIO.exists(new Path(ckpt, GRAPH), conf)) return Optional.empty();
    try (InputStream in = HadoopIO.open(state, conf)) {
      return Optional.of(new Checkpoint(ckpt, JSON.readValue(in, TrainingState.class)));
    }
  }

  /** Restores the graph (parameters and updater state) of a checkpoint. */
  public ComputationGraph restore(Checkpoint c) {
    try (InputStream in = HadoopIO.open(c.graph(), conf)) {
      return ModelSerializer.restoreComputationGraph(in, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + c.graph() + ": " + e.getMessage(), e);
    }
  }

  private List<Path> complete(FileSystem fs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      String n = s.getPath().getName();
      if (s.isDirectory() && n.startsWith(PREFIX) && fs.exists(new Path(s.getPath(), STATE))) out.add(s.getPath());
    }
    out.sort(Comparator.comparing(Path::getName));
    return out;
  }

  private void prune(FileSystem fs) throws IOException {
    List<Path> all = complete(fs);
    for (int i = 0; i < all.size() - keep; i++) fs.delete(all.get(i), true);
  }
}
