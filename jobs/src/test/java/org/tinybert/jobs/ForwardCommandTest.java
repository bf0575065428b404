package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.testing.Tensors.assertClose;
import static org.tinybert.testing.Tensors.assertScoresClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.model.checkpoint.SafeTensors;
import org.tinybert.testing.Engines;
import org.tinybert.testing.Golden;
import org.tinybert.testing.GoldenSet;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;

/**
 * {@code tinybert forward} against the golden sets' reference outputs (on every engine), and its errors on unusable
 * input.
 */
class ForwardCommandTest {
  static final double ACT = 1e-4;
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> INPUTS = List.of("input_ids", "segment_ids", "input_mask");

  @TempDir
  Path dir;

  /** inputs.json's {@code key} object ("batch" or "mlm") as a JSON input file holding just the three arrays. */
  static Path jsonInput(GoldenSet set, String key, Path file) throws Exception {
    JsonNode b = set.json("inputs.json").get(key);
    ObjectNode o = JSON.createObjectNode();
    for (String k : INPUTS) o.set(k, b.get(k));
    Files.write(file, JSON.writeValueAsBytes(o));
    return file;
  }

  /** The golden examples' text_a (and text_b) as TSV lines. */
  static Path tsvInput(GoldenSet set, Path file) throws Exception {
    StringBuilder b = new StringBuilder();
    for (JsonNode e : set.json("inputs.json").get("examples")) {
      b.append(e.get("text_a").asText());
      if (!e.get("text_b").isNull()) b.append('\t').append(e.get("text_b").asText());
      b.append('\n');
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    return file;
  }

  static GlueCli.Run forward(Path model, Path input, Path output, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("forward", "--model", model.toString(), "--input",
        input.toString(), "--output", output.toString()));
    args.addAll(List.of(more));
    return GlueCli.tinybert(args);
  }

  static Map<String, INDArray> read(Path file) {
    return SafeTensors.read(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration());
  }

  static Stream<Arguments> models() {
    return GoldenSet.all().stream().flatMap(s -> Engines.settings().stream()
        .flatMap(e -> Stream.of(Arguments.of(s, "teacher", e), Arguments.of(s, "student", e))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("models")
  void outputsOfTheGoldenBatchEqualTheReference(GoldenSet set, String who, String engine) throws Exception {
    Path out = dir.resolve("out.safetensors");
    GlueCli.Run r = forward(set.dir().resolve(who), jsonInput(set, "batch", dir.resolve("batch.json")), out,
        "--set", "tinybert.engine=" + engine);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    Map<String, INDArray> actual = read(out);
    Map<String, INDArray> expected = set.expected();

    JsonNode batch = set.json("inputs.json").get("batch");
    for (String k : INPUTS) {
      assertClose(k, Nd4j.createFromArray(Golden.ints(batch.get(k))).castTo(actual.get(k).dataType()), actual.get(k), 0);
    }
    // Every reference output of this model is written, and nothing the reference lacks besides the inputs and the
    // masked-LM rows of whatever [MASK] tokens the batch holds.
    Set<String> want = expected.keySet().stream().filter(k -> k.startsWith(who + "."))
        .map(k -> k.substring(who.length() + 1)).filter(k -> !k.equals("mlm_logits"))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> got = new TreeSet<>(actual.keySet());
    got.removeAll(INPUTS);
    got.remove("mlm_logits");
    assertEquals(want, got);
    for (String name : want) {
      if (name.startsWith("attention_scores.")) {
        assertScoresClose(who + "." + name, expected.get(who + "." + name), actual.get(name));
      } else {
        assertClose(who + "." + name, expected.get(who + "." + name), actual.get(name), ACT);
      }
    }
  }

  static Stream<Arguments> setsAndEngines() {
    return GoldenSet.all().stream().flatMap(s -> Engines.settings().stream().map(e -> Arguments.of(s, e)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("setsAndEngines")
  void maskedLmLogitsOfTheMlmBatchEqualTheReference(GoldenSet set, String engine) throws Exception {
    Path out = dir.resolve("mlm.safetensors");
    GlueCli.Run r = forward(set.dir().resolve("teacher"), jsonInput(set, "mlm", dir.resolve("mlm.json")), out,
        "--set", "tinybert.engine=" + engine);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertClose("teacher.mlm_logits", set.expected().get("teacher.mlm_logits"), read(out).get("mlm_logits"), ACT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.GoldenSet#all")
  void textInputGivesWhatItsIdsGive(GoldenSet set) throws Exception {
    Path model = set.dir().resolve("teacher");
    Path fromJson = dir.resolve("json.safetensors");
    Path fromText = dir.resolve("text.safetensors");
    assertEquals(ExitCodes.OK, forward(model, jsonInput(set, "batch", dir.resolve("b.json")), fromJson).exit());
    GlueCli.Run r = forward(model, tsvInput(set, dir.resolve("examples.tsv")), fromText,
        "--max-seq-length", set.json("inputs.json").get("max_seq_length").asText());
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    Map<String, INDArray> a = read(fromJson);
    Map<String, INDArray> b = read(fromText);
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) assertEquals(a.get(k), b.get(k), k);
  }

  /** The golden teacher as transformers 5 saves a model: tokenizer.json instead of vocab.txt (or neither). */
  private Path teacherWithout(String name, boolean tokenizerJson) throws Exception {
    Path teacher = GoldenSet.SEED1.dir().resolve("teacher");
    Path copy = Files.createDirectories(dir.resolve(name));
    try (Stream<Path> files = Files.list(teacher)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(Vocab.FILE)) Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    if (tokenizerJson) {
      Vocab vocab = Vocab.load(new org.apache.hadoop.fs.Path(teacher.resolve(Vocab.FILE).toUri()), new Configuration());
      Files.write(copy.resolve(TokenizerJson.FILE), TokenizerJson.write(vocab.tokens(), true));
    }
    return copy;
  }

  @Test
  void aModelWithTokenizerJsonInsteadOfVocabTxtTakesTextAsTheSameVocabularyDoes() throws Exception {
    GoldenSet set = GoldenSet.SEED1;
    String maxSeqLength = set.json("inputs.json").get("max_seq_length").asText();
    Path input = tsvInput(set, dir.resolve("examples.tsv"));
    Path fromVocabTxt = dir.resolve("txt.safetensors");
    Path fromTokenizerJson = dir.resolve("json.safetensors");
    assertEquals(ExitCodes.OK, forward(set.dir().resolve("teacher"), input, fromVocabTxt, "--max-seq-length",
        maxSeqLength).exit());
    GlueCli.Run r = forward(teacherWithout("json-only", true), input, fromTokenizerJson, "--max-seq-length",
        maxSeqLength);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    Map<String, INDArray> a = read(fromVocabTxt);
    Map<String, INDArray> b = read(fromTokenizerJson);
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) assertEquals(a.get(k), b.get(k), k);
  }

  @Test
  void textForAModelWithoutAVocabularyIsRefusedNamingBothFiles() throws Exception {
    Path model = teacherWithout("no-vocab", false);
    GlueCli.Run r = forward(model, tsvInput(GoldenSet.SEED1, dir.resolve("examples.tsv")),
        dir.resolve("out.safetensors"), "--max-seq-length", "16");
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains("has neither vocab.txt nor tokenizer.json; give token ids as JSON instead"), r.err());
  }

  /** One bad input file, the message it must give (besides naming the file). */
  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("ragged.json", "{\"input_ids\": [[101, 5, 102], [101, 102]], \"segment_ids\": [[0, 0, 0], [0, 0]],"
            + " \"input_mask\": [[1, 1, 1], [1, 1]]}", "input_ids[1] has 2 entries, expected 3"),
        Arguments.of("short-mask.json", "{\"input_ids\": [[101, 5, 102]], \"segment_ids\": [[0, 0, 0]],"
            + " \"input_mask\": [[1, 1]]}", "input_mask[0] has 2 entries, expected 3"),
        Arguments.of("big-id.json", "{\"input_ids\": [[101, 512, 102]], \"segment_ids\": [[0, 0, 0]],"
            + " \"input_mask\": [[1, 1, 1]]}", "input_ids[0][1] = 512 is outside the vocabulary"),
        Arguments.of("negative-id.json", "{\"input_ids\": [[101, -1, 102]], \"segment_ids\": [[0, 0, 0]],"
            + " \"input_mask\": [[1, 1, 1]]}", "input_ids[0][1] = -1 is outside the vocabulary"),
        Arguments.of("too-long.json", "{\"input_ids\": [" + row(65, 5) + "], \"segment_ids\": [" + row(65, 0)
            + "], \"input_mask\": [" + row(65, 1) + "]}", "sequence length 65 exceeds max_position_embeddings 64"),
        Arguments.of("no-mask.json", "{\"input_ids\": [[101, 102]], \"segment_ids\": [[0, 0]]}", "no input_mask"),
        Arguments.of("fraction.json", "{\"input_ids\": [[101, 1.5]], \"segment_ids\": [[0, 0]],"
            + " \"input_mask\": [[1, 1]]}", "input_ids[0][1] must be an integer, found 1.5"),
        Arguments.of("array.json", "[[101, 102]]", "expected a JSON object with input_ids"),
        Arguments.of("broken.json", "{\"input_ids\": [[101, 102]", "not valid JSON"),
        Arguments.of("three-fields.tsv", "one\ttwo\tthree\n", "line 1: expected one text or two separated by a tab"),
        Arguments.of("empty.tsv", "", "no examples"),
        Arguments.of("binary.bin", "\u0000\u0001", "found binary data"));
  }

  static String row(int n, int v) {
    return "[" + String.join(", ", java.util.Collections.nCopies(n, String.valueOf(v))) + "]";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void unusableInputIsRefusedNamingTheFile(String name, String content, String message) throws Exception {
    Path input = Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    Path out = dir.resolve("out.safetensors");
    GlueCli.Run r = forward(GoldenSet.SEED1.dir().resolve("teacher"), input, out);
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains(input.toString()), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void textLongerThanThePositionsIsRefusedWithBothNumbers() throws Exception {
    Path input = tsvInput(GoldenSet.SEED1, dir.resolve("examples.tsv"));
    GlueCli.Run r = forward(GoldenSet.SEED1.dir().resolve("teacher"), input, dir.resolve("out.safetensors"));
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertTrue(r.err().contains(input + ": max_seq_length 128 exceeds max_position_embeddings 64 of model "), r.err());
  }
}
