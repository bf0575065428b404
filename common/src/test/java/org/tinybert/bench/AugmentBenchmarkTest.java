package org.tinybert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.config.AugmentBenchSettings;
import org.tinybert.config.SettingsLoader;

/** The benchmark at a tiny size: both methods give the same output, and the counts add up. */
class AugmentBenchmarkTest {
  @Test
  void bothMethodsAgreeAndTheWorkloadIsWritten(@TempDir Path tmp) throws Exception {
    Path workload = tmp.resolve("workload.json");
    AugmentBenchSettings s = AugmentBenchSettings.from(SettingsLoader.load(AugmentBenchSettings.ROOT,
        Optional.empty(), List.of("tinybert.bench.augment.model=tiny", "tinybert.bench.augment.sentences=2",
            "tinybert.bench.augment.words=7", "tinybert.bench.augment.batch-size=4", "tinybert.bench.augment.rounds=2",
            "tinybert.bench.augment.glove-words=500", "tinybert.bench.augment.glove-dim=16",
            "tinybert.bench.augment.workload=" + workload)));
    AugmentBenchmark.Result r = AugmentBenchmark.run(s);
    assertTrue(r.sameOutput(), r.toString());
    assertTrue(r.mlmWords() > 0 && r.gloveWords() > 0, r.toString());
    assertEquals(r.mlmWords(), r.straightforwardForwards());
    assertEquals((r.mlmWords() + 3) / 4, r.batchedForwards());
    assertTrue(r.gemmGflops() > 0 && r.flopEfficiency() > 0);
    assertEquals(2, r.roundSpeedups().size());
    assertEquals(r.speedup(), r.straightforwardSeconds() / r.batchedSeconds(), 1e-9);
    JsonNode line = new ObjectMapper().readTree(r.toJson());
    for (String k : List.of("batched_sentences_per_s", "straightforward_sentences_per_s", "speedup",
        "flop_efficiency")) {
      assertTrue(line.get(k).asDouble() > 0, k);
    }
    JsonNode w = new ObjectMapper().readTree(workload.toFile());
    assertEquals(r.mlmWords(), w.get("mlm_inputs").size());
    assertEquals(r.gloveWords(), w.get("glove_queries").asLong());
    assertEquals(64, w.get("config").get("hidden_size").asInt());
  }
}
