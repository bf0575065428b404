package org.tinybert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Checkpoints: checksums written with each, damaged ones detected and passed over for the newest intact one. */
class CheckpointStoreTest {
  @TempDir Path tmp;
  final Configuration conf = new Configuration();

  static ComputationGraph graph(long seed) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3))
        .graphBuilder().addInputs("in")
        .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(1)
            .activation(Activation.IDENTITY).build(), "dense")
        .setOutputs("out").build());
    g.init();
    return g;
  }

  static TrainingState state(long round) {
    return new TrainingState(0, round * 4, round, round * 2, round * 64, round, false);
  }

  /** Three checkpoints (rounds 1-3) of distinct graphs, each with an extra file, keeping all three. */
  CheckpointStore threeCheckpoints() throws IOException {
    CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(tmp.toUri()), conf, 3);
    for (int r = 1; r <= 3; r++) {
      int round = r;
      store.save(graph(r), state(r), dir -> HadoopIO.writeAtomically(new org.apache.hadoop.fs.Path(dir,
          "student/config.json"), conf, ("{\"round\": " + round + "}").getBytes(StandardCharsets.UTF_8)));
    }
    return store;
  }

  Path ckpt(int round) {
    return tmp.resolve(String.format("checkpoints/ckpt-%09d", round));
  }

  @Test
  void everyFileOfACheckpointIsListedWithItsSha256InSha256sumFormat() throws Exception {
    threeCheckpoints();
    List<String> lines = Files.readAllLines(ckpt(2).resolve(CheckpointStore.CHECKSUMS));
    assertEquals(List.of("graph.zip", "state.json", "student/config.json"),
        lines.stream().map(l -> l.substring(66)).toList());
    for (String line : lines) {
      byte[] bytes = Files.readAllBytes(ckpt(2).resolve(line.substring(66)));
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      assertEquals(sha + "  " + line.substring(66), line);
    }
  }

  @Test
  void theNewestCheckpointIsRestoredWithItsStateAndParameters() throws Exception {
    CheckpointStore store = threeCheckpoints();
    CheckpointStore.Restored r = store.restoreLatest().orElseThrow();
    assertEquals(state(3), r.checkpoint().state());
    assertEquals(graph(3).params(), r.graph().params());
  }

  @Test
  void noCheckpointsMeansNothingToRestore() throws Exception {
    assertEquals(Optional.empty(), new CheckpointStore(new org.apache.hadoop.fs.Path(tmp.toUri()), conf, 2)
        .restoreLatest());
  }

  @Test
  void aTruncatedGraphIsPassedOverForThePreviousCheckpoint() throws Exception {
    CheckpointStore store = threeCheckpoints();
    Path zip = ckpt(3).resolve(CheckpointStore.GRAPH);
    try (RandomAccessFile f = new RandomAccessFile(zip.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    CheckpointStore.Restored r = store.restoreLatest().orElseThrow();
    assertEquals(state(2), r.checkpoint().state());
    assertEquals(graph(2).params(), r.graph().params());
  }

  @Test
  void aFlippedBitIsCaughtByTheChecksumEvenWithoutHadoopsCrcFiles() throws Exception {
    CheckpointStore store = threeCheckpoints();
    // Hadoop's local file system keeps .crc files that would catch this too; a copy made without them (to another
    // file system, say) leaves only SHA256SUMS to notice.
    for (String name : List.of(CheckpointStore.GRAPH, "student/config.json")) {
      Path f = ckpt(name.equals(CheckpointStore.GRAPH) ? 3 : 2).resolve(name);
      Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
      flipOneBit(f);
    }
    CheckpointStore.Restored r = store.restoreLatest().orElseThrow();
    assertEquals(state(1), r.checkpoint().state(), "rounds 3 (graph) and 2 (student copy) are damaged");
  }

  @Test
  void whenEveryCheckpointIsDamagedTheErrorNamesEachAndWhatIsWrong() throws Exception {
    CheckpointStore store = threeCheckpoints();
    for (int r : new int[] {1, 3}) {
      Path f = ckpt(r).resolve(CheckpointStore.GRAPH);
      Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
      flipOneBit(f);
    }
    Files.delete(ckpt(2).resolve(CheckpointStore.STATE));
    IOException e = assertThrows(IOException.class, store::restoreLatest);
    assertTrue(e.getMessage().startsWith("no intact checkpoint under "), e.getMessage());
    assertTrue(e.getMessage().contains("ckpt-000000003 (graph.zip: SHA-256 "), e.getMessage());
    assertTrue(e.getMessage().contains("ckpt-000000002 (state.json is missing)"), e.getMessage());
    assertTrue(e.getMessage().contains("ckpt-000000001 (graph.zip: SHA-256 "), e.getMessage());
  }

  @Test
  void aCheckpointWithoutChecksumsFromAnOlderVersionStillRestores() throws Exception {
    CheckpointStore store = threeCheckpoints();
    for (int r = 1; r <= 3; r++) {
      Files.delete(ckpt(r).resolve(CheckpointStore.CHECKSUMS));
      Files.deleteIfExists(ckpt(r).resolve("." + CheckpointStore.CHECKSUMS + ".crc"));
    }
    assertEquals(state(3), store.restoreLatest().orElseThrow().checkpoint().state());
    // Unverifiable, but a truncated graph still fails its restore and is passed over.
    try (RandomAccessFile f = new RandomAccessFile(ckpt(3).resolve(CheckpointStore.GRAPH).toFile(), "rw")) {
      f.setLength(100);
    }
    assertEquals(state(2), store.restoreLatest().orElseThrow().checkpoint().state());
  }

  @Test
  void onlyTheNewestKeepCheckpointsAreKept() throws Exception {
    CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(tmp.toUri()), conf, 2);
    for (int r = 1; r <= 3; r++) store.save(graph(r), state(r), null);
    assertTrue(!Files.exists(ckpt(1)) && Files.isDirectory(ckpt(2)) && Files.isDirectory(ckpt(3)));
    assertEquals("ckpt-000000003", Files.readString(tmp.resolve("checkpoints/LATEST")));
  }

  static void flipOneBit(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x04);
    }
  }
}
