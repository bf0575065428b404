package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.model.core.BertConfig;

class HfNamesTest {

  static BertConfig goldenConfig(String model) {
    return BertConfig.parse(TestFiles.bytes(TestFiles.resource("/org/tinybert/golden/" + model + "/config.json")),
        model + "/config.json");
  }

  /** Names and shapes straight from a golden file's safetensors header (read with Jackson, not the code tested). */
  static Map<String, List<Long>> goldenHeader(String model) throws Exception {
    byte[] bytes = TestFiles.bytes(TestFiles.resource("/org/tinybert/golden/" + model + "/model.safetensors"));
    int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, n, java.nio.charset.StandardCharsets.UTF_8));
    Map<String, List<Long>> shapes = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) continue;
      List<Long> shape = new ArrayList<>();
      e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
      shapes.put(e.getKey(), shape);
    }
    return shapes;
  }

  static Stream<Arguments> goldenModels() {
    return Stream.of(
        Arguments.of("teacher", new Heads(true, 3, true, false, Heads.Fit.NONE, 0)),
        Arguments.of("student", new Heads(true, 3, false, false, Heads.Fit.SHARED, 48)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenModels")
  void expectedShapesAreExactlyTheGoldenCheckpoints(String model, Heads heads) throws Exception {
    Map<String, List<Long>> expected = new TreeMap<>();
    HfNames.expectedShapes(goldenConfig(model), heads).forEach((name, shape) -> {
      List<Long> s = new ArrayList<>();
      for (long d : shape) s.add(d);
      expected.put(name, s);
    });
    assertEquals(goldenHeader(model), expected);
  }

  @Test
  void encoderOnlyHasEmbeddingsAndSixteenTensorsPerLayerInModuleOrder() {
    BertConfig cfg = goldenConfig("teacher");
    LinkedHashMap<String, long[]> s = HfNames.expectedShapes(cfg, Heads.ENCODER_ONLY);
    assertEquals(5 + 16 * cfg.numHiddenLayers(), s.size());
    List<String> names = List.copyOf(s.keySet());
    assertEquals(HfNames.WORD_EMBEDDINGS, names.get(0));
    assertEquals("bert.encoder.layer.0.attention.self.query.weight", names.get(5));
    assertEquals("bert.encoder.layer.5.output.LayerNorm.bias", names.get(names.size() - 1));
    assertTrue(names.indexOf("bert.encoder.layer.1.attention.self.query.weight")
        > names.indexOf("bert.encoder.layer.0.output.LayerNorm.bias"));
  }

  @Test
  void linearWeightsAreOutByIn() {
    BertConfig cfg = goldenConfig("student"); // hidden 24, FFN 48, 3 labels, fit 48
    Map<String, long[]> s = HfNames.expectedShapes(cfg, new Heads(true, 3, true, true, Heads.Fit.SHARED, 48));
    assertArrayEquals(new long[] {48, 24}, s.get(HfNames.weight(HfNames.intermediate(1))));
    assertArrayEquals(new long[] {24, 48}, s.get(HfNames.weight(HfNames.output(1))));
    assertArrayEquals(new long[] {3, 24}, s.get(HfNames.weight(HfNames.CLASSIFIER)));
    assertArrayEquals(new long[] {48, 24}, s.get(HfNames.weight(HfNames.FIT_DENSE)));
    assertArrayEquals(new long[] {512, 24}, s.get(HfNames.MLM_DECODER_WEIGHT));
    assertArrayEquals(new long[] {512}, s.get(HfNames.MLM_BIAS));
  }

  @Test
  void perRepresentationFitHasOneProjectionPerRepresentation() {
    BertConfig cfg = goldenConfig("student");
    Map<String, long[]> s = HfNames.expectedShapes(cfg, Heads.ENCODER_ONLY.withFit(Heads.Fit.PER_REPRESENTATION, 48));
    for (int i = 0; i <= cfg.numHiddenLayers(); i++) {
      assertArrayEquals(new long[] {48, 24}, s.get("fit_denses." + i + ".weight"));
      assertArrayEquals(new long[] {48}, s.get("fit_denses." + i + ".bias"));
    }
    assertFalse(s.containsKey("fit_denses." + (cfg.numHiddenLayers() + 1) + ".weight"));
    assertFalse(s.containsKey("fit_dense.weight"));
  }

  @Test
  void tiedDecoderIsNotExpected() {
    Map<String, long[]> s = HfNames.expectedShapes(goldenConfig("teacher"), Heads.ENCODER_ONLY.withMlm(true, false));
    assertFalse(s.containsKey(HfNames.MLM_DECODER_WEIGHT));
    assertTrue(s.containsKey(HfNames.weight(HfNames.MLM_TRANSFORM)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "bert.embeddings.position_ids, true", "embeddings.position_ids, true", "bert.embeddings.token_type_ids, true",
      "position_ids, false", "input_ids, false", "bert.encoder.layer.0.position_ids, false",
      "bert.embeddings.position_embeddings.weight, false"})
  void integerBuffers(String name, boolean buffer) {
    assertEquals(buffer, HfNames.isIntegerBuffer(name));
  }

  @Test
  void headsRefuseAFitSizeWithoutFitAndADecoderWithoutMlm() {
    assertThrows(IllegalArgumentException.class, () -> new Heads(false, 0, false, false, Heads.Fit.NONE, 48));
    assertThrows(IllegalArgumentException.class, () -> new Heads(false, 0, false, false, Heads.Fit.SHARED, 0));
    assertThrows(IllegalArgumentException.class, () -> new Heads(false, 0, false, true, Heads.Fit.NONE, 0));
  }
}
