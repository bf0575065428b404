package org.tinybert.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.tinybert.config.InferSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.BertBatch;
import org.tinybert.testing.GeneratedText;
import org.tinybert.testing.Golden;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;
import org.tinybert.text.Vocab;

/**
 * What the infer tests share: settings as the command line gives them, sentences of the golden vocabulary, the
 * expected results (each example alone through {@link BertModel#forward}, padded to {@code max_seq_length} as
 * {@code tinybert forward} pads), and readers of the output parts.
 */
public final class InferFixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Results of a batch padded to its longest example against those of the example alone, padded to 64. */
  static final double TOL = 1e-5;
  static final Vocab VOCAB = Vocab.load(Golden.hadoopPath("vocab.txt"), new Configuration());

  private InferFixtures() {}

  static InferSettings settings(Object model, Object input, Object output, String... overrides) {
    List<String> set = new ArrayList<>(List.of(
        InferSettings.ROOT + ".model=\"" + model + "\"",
        InferSettings.ROOT + ".input=\"" + input + "\"",
        InferSettings.ROOT + ".output=\"" + output + "\""));
    for (String o : overrides) set.add(InferSettings.ROOT + "." + o);
    return InferSettings.from(SettingsLoader.load(InferSettings.ROOT, Optional.empty(), set));
  }

  /** {@code n} sentences of 1 to 70 words of the golden vocabulary (the longest cut at 64 tokens). */
  static List<String> sentences(int n, long seed) {
    return GeneratedText.sentences(VOCAB, n, 1, 70, 300, seed);
  }

  static void write(Path file, List<String> lines) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BertModel model(String who) {
    HfCheckpoint ck = Golden.checkpoint(who);
    return new BertModel(ck.config(), ck.weights());
  }

  /** One example alone through the model, padded to 64 (the golden models' max_position_embeddings). */
  static BertModel.Forward forward(BertModel m, String text, String pair) {
    EncodedInput e = new BertTokenizer(VOCAB, true).encode(text, pair, 64);
    return m.forward(new BertBatch(1, 64, e.inputIds(), e.segmentIds(), e.inputMask()), false, false);
  }

  static float[] probabilities(BertModel m, String text, String pair) {
    return OutputSchema.probabilities(forward(m, text, pair).logits.toFloatVector());
  }

  static void assertClose(float[] expected, JsonNode actual, String what) {
    assertEquals(expected.length, actual.size(), what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual.get(i).floatValue(), TOL, what + "[" + i + "]");
    }
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], TOL, what + "[" + i + "]");
  }

  /** The parts of an output directory, in part order. */
  static List<Path> parts(Path output) {
    try (Stream<Path> s = Files.list(output)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every row of a JSON-lines output, in part order. */
  static List<JsonNode> jsonRows(Path output) {
    List<JsonNode> rows = new ArrayList<>();
    for (Path p : parts(output)) {
      assertTrue(p.getFileName().toString().endsWith(".jsonl"), p.toString());
      try {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) rows.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return rows;
  }

  public static JsonNode manifest(Path output) {
    try {
      return JSON.readTree(output.resolveSibling(output.getFileName() + ".manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
