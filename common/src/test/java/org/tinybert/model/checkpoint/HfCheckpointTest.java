package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.model.checkpoint.TestFiles.assertFails;
import static org.tinybert.model.checkpoint.TestFiles.assertSameTensor;
import static org.tinybert.model.checkpoint.TestFiles.assertSameTensors;
import static org.tinybert.model.checkpoint.TestFiles.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.core.BertConfig;

class HfCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GOLDEN = "/org/tinybert/golden/";
  private final Configuration conf = new Configuration();

  @TempDir
  java.nio.file.Path tmp;

  private HfCheckpoint golden(String model) {
    return HfCheckpoint.load(resource(GOLDEN + model), conf);
  }

  private static ObjectNode goldenConfigJson(String model) throws Exception {
    return (ObjectNode) JSON.readTree(TestFiles.bytes(resource(GOLDEN + model + "/config.json")));
  }

  /** A model directory with {@code config} and {@code weights} as model.safetensors. */
  private Path modelDir(String name, JsonNode config, Map<String, INDArray> weights) throws Exception {
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve(name));
    Files.write(dir.resolve("config.json"), JSON.writeValueAsBytes(config));
    SafeTensors.write(weights, TestFiles.path(dir.resolve("model.safetensors")), conf);
    return TestFiles.path(dir);
  }

  private static Map<String, INDArray> edited(Map<String, INDArray> weights, Consumer<Map<String, INDArray>> edit) {
    Map<String, INDArray> copy = new LinkedHashMap<>(weights);
    edit.accept(copy);
    return copy;
  }

  @Test
  void loadsTheGoldenTeacher() {
    HfCheckpoint teacher = golden("teacher");
    assertEquals(new Heads(true, 3, true, false, Heads.Fit.NONE, 0), teacher.heads());
    assertEquals("model.safetensors", teacher.source().getName());
    assertEquals(List.copyOf(HfNames.expectedShapes(teacher.config(), teacher.heads()).keySet()),
        List.copyOf(teacher.weights().keySet()));
    Map<String, INDArray> file = SafeTensors.read(teacher.source(), conf);
    assertEquals(file.size(), teacher.weights().size());
    file.forEach((name, t) -> assertSameTensor(name, t, teacher.weights().get(name)));
  }

  @Test
  void loadsTheGoldenStudentWithItsSharedFitDense() {
    HfCheckpoint student = golden("student");
    assertEquals(new Heads(true, 3, false, false, Heads.Fit.SHARED, 48), student.heads());
    assertEquals(48, student.config().fitSize());
    assertEquals(3, student.config().numLabels());
    assertArrayEquals(new long[] {48, 24}, student.weights().get("fit_dense.weight").shape());
  }

  @Test
  void saveThenLoadGivesIdenticalTensorsAndATransformersConfig() throws Exception {
    HfCheckpoint student = golden("student");
    List<String> vocab = Files.readAllLines(java.nio.file.Path.of(resource(GOLDEN + "student/vocab.txt").toUri()));
    Path dir = TestFiles.path(tmp.resolve("saved"));
    HfCheckpoint.save(dir, student.config(), student.weights(), vocab, true, conf);

    HfCheckpoint back = HfCheckpoint.load(dir, conf);
    assertSameTensors(student.weights(), back.weights());
    assertEquals(student.heads(), back.heads());
    assertEquals(withoutRaw(student.config()), withoutRaw(back.config()));
    assertEquals(vocab, Files.readAllLines(tmp.resolve("saved/vocab.txt")));

    JsonNode config = JSON.readTree(tmp.resolve("saved/config.json").toFile());
    assertEquals("bert", config.get("model_type").asText());
    assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
    assertEquals(1, config.get("architectures").size());
    assertEquals(48, config.get("fit_size").asInt());
    assertEquals(3, config.get("id2label").size());
    assertTrue(config.get("tie_word_embeddings").asBoolean());
    try (Stream<java.nio.file.Path> left = Files.list(tmp)) {
      assertEquals(List.of("saved"), left.map(p -> p.getFileName().toString()).toList(), "no temporary siblings");
    }
  }

  @Test
  void saveReplacesAnExistingModelDirectoryWhole() throws Exception {
    Path dir = TestFiles.path(tmp.resolve("model"));
    HfCheckpoint teacher = golden("teacher");
    HfCheckpoint.save(dir, teacher.config(), teacher.weights(), resource(GOLDEN + "teacher/vocab.txt"), true, conf);
    assertEquals("[\"BertForSequenceClassification\",\"BertForMaskedLM\"]",
        JSON.readTree(tmp.resolve("model/config.json").toFile()).get("architectures").toString());
    Files.writeString(tmp.resolve("model/stale.txt"), "from the run before");

    HfCheckpoint student = golden("student");
    HfCheckpoint.save(dir, student.config(), student.weights(), resource(GOLDEN + "student/vocab.txt"), true, conf);

    assertFalse(Files.exists(tmp.resolve("model/stale.txt")));
    HfCheckpoint back = HfCheckpoint.load(dir, conf);
    assertSameTensors(student.weights(), back.weights());
    assertEquals(withoutRaw(student.config()), withoutRaw(back.config()));
    assertArrayEquals(TestFiles.bytes(resource(GOLDEN + "student/vocab.txt")),
        Files.readAllBytes(tmp.resolve("model/vocab.txt")));
  }

  /** The modelled fields only ({@code raw} differs by the keys save adds). */
  private static BertConfig withoutRaw(BertConfig c) {
    return new BertConfig(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
        c.intermediateSize(), c.hiddenAct(), c.maxPositionEmbeddings(), c.typeVocabSize(), c.layerNormEps(),
        c.padTokenId(), c.numLabels(), c.fitSize(), c.initializerRange(), null);
  }

  @Test
  void saveRefusesWeightsThatDoNotMatchAndWritesNothing() {
    HfCheckpoint student = golden("student");
    Map<String, INDArray> broken = edited(student.weights(), w -> w.remove("bert.pooler.dense.bias"));
    Path dir = TestFiles.path(tmp.resolve("refused"));
    assertFails(() -> HfCheckpoint.save(dir, student.config(), broken, List.of("[PAD]"), true, conf),
        "missing bert.pooler.dense.bias: expected shape [24], found none");
    assertFalse(Files.exists(tmp.resolve("refused")));
  }

  @Test
  void everyMissingUnexpectedAndMisshapenWeightIsReportedAtOnce() throws Exception {
    Map<String, INDArray> weights = edited(golden("student").weights(), w -> {
      w.remove("bert.encoder.layer.1.output.dense.weight");
      w.put("bert.encoder.layer.2.output.dense.weight", Nd4j.zeros(DataType.FLOAT, 24, 48));
      w.put("bert.pooler.dense.weight", Nd4j.zeros(DataType.FLOAT, 24, 12));
    });
    Path dir = modelDir("bad", goldenConfigJson("student"), weights);
    assertFails(() -> HfCheckpoint.load(dir, conf), "model.safetensors", "3 weight problem(s)",
        "missing bert.encoder.layer.1.output.dense.weight: expected shape [24, 48], found none",
        "unexpected bert.encoder.layer.2.output.dense.weight: expected no such weight, found shape [24, 48]",
        "bert.pooler.dense.weight: expected shape [24, 24], found [24, 12]");
  }

  @Test
  void bertModelLayoutWithGammaAndBetaLoadsLikeThePrefixedLayout() throws Exception {
    Map<String, INDArray> prefixed = new LinkedHashMap<>();
    Map<String, INDArray> bare = new LinkedHashMap<>();
    golden("student").weights().forEach((name, t) -> {
      if (!name.startsWith("bert.")) return;
      prefixed.put(name, t);
      String old = name.substring("bert.".length());
      if (old.contains("LayerNorm")) old = old.replaceAll("\\.weight$", ".gamma").replaceAll("\\.bias$", ".beta");
      bare.put(old, t);
    });
    assertTrue(bare.containsKey("embeddings.LayerNorm.gamma"));
    assertTrue(bare.containsKey("encoder.layer.1.output.LayerNorm.beta"));
    ObjectNode config = goldenConfigJson("student");
    HfCheckpoint a = HfCheckpoint.load(modelDir("prefixed", config, prefixed), conf);
    HfCheckpoint b = HfCheckpoint.load(modelDir("bare", config, bare), conf);
    assertEquals(a.heads(), b.heads());
    assertEquals(new Heads(true, 0, false, false, Heads.Fit.NONE, 0), b.heads());
    assertSameTensors(a.weights(), b.weights());
  }

  /** A general TinyBERT as released in 2019: legacy pytorch_model.bin, fit_denses, pre-training heads, bare config. */
  @Test
  void loadsALegacyGeneralTinyBertRelease() {
    HfCheckpoint general = HfCheckpoint.load(resource("/org/tinybert/model/checkpoint/tinybert_general_legacy"), conf);
    assertEquals("pytorch_model.bin", general.source().getName());
    assertEquals(new Heads(true, 0, true, false, Heads.Fit.PER_REPRESENTATION, 48), general.heads());
    assertEquals(48, general.config().fitSize(), "fit_size comes from fit_denses.0.weight");
    assertFalse(general.weights().containsKey(HfNames.MLM_DECODER_WEIGHT), "tied decoder dropped");
    assertFalse(general.weights().keySet().stream().anyMatch(n -> n.startsWith("cls.seq_relationship")));

    Map<String, INDArray> expected = new LinkedHashMap<>();
    golden("student").weights().forEach((n, t) -> {
      if (n.startsWith("bert.")) expected.put(n, t);
    });
    expected.putAll(SafeTensors.read(resource("/org/tinybert/model/checkpoint/tinybert_general_heads.safetensors"),
        conf));
    assertEquals(expected.size(), general.weights().size());
    expected.forEach((n, t) -> assertSameTensor(n, t, general.weights().get(n)));
  }

  @Test
  void shardedCheckpointLoadsLikeTheSingleFile() throws Exception {
    HfCheckpoint teacher = golden("teacher");
    java.nio.file.Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(java.nio.file.Path.of(resource(GOLDEN + "teacher/config.json").toUri()), dir.resolve("config.json"));
    Map<String, INDArray> first = new LinkedHashMap<>();
    Map<String, INDArray> second = new LinkedHashMap<>();
    ObjectNode index = JSON.createObjectNode();
    ObjectNode weightMap = index.putObject("weight_map");
    teacher.weights().forEach((name, t) -> {
      boolean early = name.startsWith("bert.embeddings") || name.startsWith("bert.encoder.layer.0.");
      (early ? first : second).put(name, t);
      weightMap.put(name, early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    });
    SafeTensors.write(first, TestFiles.path(dir.resolve("model-00001-of-00002.safetensors")), conf);
    SafeTensors.write(second, TestFiles.path(dir.resolve("model-00002-of-00002.safetensors")), conf);
    Files.write(dir.resolve(SafeTensors.INDEX_FILE), JSON.writeValueAsBytes(index));

    HfCheckpoint sharded = HfCheckpoint.load(TestFiles.path(dir), conf);
    assertEquals(SafeTensors.INDEX_FILE, sharded.source().getName());
    assertEquals(teacher.heads(), sharded.heads());
    assertSameTensors(teacher.weights(), sharded.weights());
  }

  @Test
  void labelCountComesFromTheClassifierOnlyWhenTheConfigHasNone() throws Exception {
    Map<String, INDArray> weights = golden("student").weights();
    ObjectNode bare = goldenConfigJson("student");
    bare.remove(List.of("id2label", "label2id"));
    assertEquals(3, HfCheckpoint.load(modelDir("inferred", bare, weights), conf).config().numLabels());

    ObjectNode two = goldenConfigJson("student");
    two.remove(List.of("id2label", "label2id"));
    two.put("num_labels", 2);
    Path dir = modelDir("explicit", two, weights);
    assertFails(() -> HfCheckpoint.load(dir, conf), "classifier.weight: expected shape [2, 24], found [3, 24]",
        "classifier.bias: expected shape [2], found [3]");
  }

  @Test
  void decoderWeightIsDroppedWhenTiedAndKeptWhenNot() throws Exception {
    HfCheckpoint teacher = golden("teacher");
    Map<String, INDArray> withDecoder = edited(teacher.weights(), w -> {
      w.put(HfNames.MLM_DECODER_WEIGHT, w.get(HfNames.WORD_EMBEDDINGS).mul(2));
      w.put("cls.predictions.decoder.bias", w.get(HfNames.MLM_BIAS));
    });
    HfCheckpoint tied = HfCheckpoint.load(modelDir("tied", goldenConfigJson("teacher"), withDecoder), conf);
    assertSameTensors(teacher.weights(), tied.weights());

    ObjectNode untiedConfig = goldenConfigJson("teacher").put("tie_word_embeddings", false);
    HfCheckpoint untied = HfCheckpoint.load(modelDir("untied", untiedConfig, withDecoder), conf);
    assertTrue(untied.heads().mlmDecoder());
    assertSameTensor("decoder", withDecoder.get(HfNames.MLM_DECODER_WEIGHT),
        untied.weights().get(HfNames.MLM_DECODER_WEIGHT));

    Path saved = TestFiles.path(tmp.resolve("untied-saved"));
    HfCheckpoint.save(saved, untied.config(), untied.weights(), List.of("[PAD]", "[UNK]"), true, conf);
    assertFalse(JSON.readTree(tmp.resolve("untied-saved/config.json").toFile()).get("tie_word_embeddings").asBoolean());
    assertSameTensors(untied.weights(), HfCheckpoint.load(saved, conf).weights());
  }

  @Test
  void aDirectoryWithoutConfigOrWeightsIsRefused() throws Exception {
    java.nio.file.Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertFails(() -> HfCheckpoint.load(TestFiles.path(empty), conf), "not a model directory: no config.json");
    Files.write(empty.resolve("config.json"), TestFiles.bytes(resource(GOLDEN + "student/config.json")));
    assertFails(() -> HfCheckpoint.load(TestFiles.path(empty), conf),
        "no weights: none of model.safetensors, model.safetensors.index.json, pytorch_model.bin");
  }

  @Test
  void vocabularyLargerThanTheEmbeddingsIsRefused() {
    HfCheckpoint student = golden("student");
    List<String> tooMany = Stream.iterate(0, i -> i + 1).limit(513).map(i -> "w" + i).toList();
    assertFails(() -> HfCheckpoint.save(TestFiles.path(tmp.resolve("v")), student.config(), student.weights(),
        tooMany, true, conf), "vocabulary of 513 tokens for vocab_size 512");
    assertFails(() -> HfCheckpoint.save(TestFiles.path(tmp.resolve("v")), student.config(), student.weights(),
        List.of("a\nb"), true, conf), "vocabulary token 0 is 'a\nb'");
  }

  @Test
  void configJsonIsBertConfigParseable() throws Exception {
    HfCheckpoint student = golden("student");
    Path dir = TestFiles.path(tmp.resolve("parse"));
    HfCheckpoint.save(dir, student.config(), student.weights(), List.of("[PAD]"), true, conf);
    BertConfig parsed = BertConfig.parse(Files.readAllBytes(tmp.resolve("parse/config.json")), "config.json");
    assertEquals(student.config().vocabSize(), parsed.vocabSize());
    assertEquals(student.config().layerNormEps(), parsed.layerNormEps());
    assertEquals("float32", JSON.readTree(tmp.resolve("parse/config.json").toFile()).get("torch_dtype").asText());
    assertEquals("[PAD]\n", Files.readString(tmp.resolve("parse/vocab.txt"), StandardCharsets.UTF_8));
  }
}
