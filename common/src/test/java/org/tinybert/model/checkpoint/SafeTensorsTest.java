package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.model.checkpoint.TestFiles.assertFails;
import static org.tinybert.model.checkpoint.TestFiles.assertSameTensor;
import static org.tinybert.model.checkpoint.TestFiles.assertSameTensors;
import static org.tinybert.model.checkpoint.TestFiles.concat;
import static org.tinybert.model.checkpoint.TestFiles.f32;
import static org.tinybert.model.checkpoint.TestFiles.le64;
import static org.tinybert.model.checkpoint.TestFiles.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafeTensorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Configuration conf = new Configuration();

  @TempDir
  java.nio.file.Path tmp;

  private static Map<String, INDArray> sample() {
    Nd4j.getRandom().setSeed(11);
    Map<String, INDArray> t = new LinkedHashMap<>();
    t.put("z.weight", Nd4j.rand(DataType.FLOAT, 3, 4));
    t.put("a.bias", Nd4j.rand(DataType.FLOAT, 5));
    t.put("m.cube", Nd4j.rand(DataType.FLOAT, 2, 3, 4));
    t.put("m.scalar", Nd4j.scalar(2.5f));
    t.put("m.transposed", Nd4j.rand(DataType.FLOAT, 4, 3).transpose()); // a non-contiguous view
    t.put("m.empty", Nd4j.create(DataType.FLOAT, 0, 3));
    return t;
  }

  @Test
  void roundTripKeepsNamesShapesAndExactValues() throws Exception {
    Map<String, INDArray> tensors = sample();
    Path file = TestFiles.path(tmp.resolve("model.safetensors"));
    SafeTensors.write(tensors, file, conf);

    Map<String, INDArray> back = SafeTensors.read(file, conf);
    List<String> sorted = new ArrayList<>(tensors.keySet());
    sorted.sort(null);
    assertEquals(sorted, List.copyOf(back.keySet()), "names come back sorted, in file order");
    for (String name : tensors.keySet()) assertSameTensor(name, tensors.get(name), back.get(name));

    // The layout transformers expects: padded header, {"format": "pt"}, sorted names, back-to-back F32 data.
    byte[] bytes = TestFiles.bytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8, "header length is a multiple of 8");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    String json0 = header.stripTrailing();
    assertTrue(json0.startsWith("{") && json0.endsWith("}"), header);
    assertTrue(header.substring(json0.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
    JsonNode json = JSON.readTree(header);
    assertEquals("pt", json.get("__metadata__").get("format").asText());
    List<String> headerNames = new ArrayList<>();
    long offset = 0;
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("__metadata__")) continue;
      headerNames.add(name);
      JsonNode info = json.get(name);
      assertEquals("F32", info.get("dtype").asText());
      assertEquals(offset, info.get("data_offsets").get(0).asLong(), name);
      offset = info.get("data_offsets").get(1).asLong();
    }
    assertEquals(sorted, headerNames);
    assertEquals(8 + n + offset, bytes.length);
  }

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
    Path file = TestFiles.path(tmp.resolve("w.safetensors"));
    SafeTensors.write(Map.of("old", Nd4j.ones(DataType.FLOAT, 2)), file, conf);
    SafeTensors.write(Map.of("new", Nd4j.zeros(DataType.FLOAT, 3)), file, conf);
    assertEquals(List.of("new"), List.copyOf(SafeTensors.read(file, conf).keySet()));
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(tmp)) {
      assertTrue(files.map(p -> p.getFileName().toString()).noneMatch(s -> s.endsWith(".tmp")));
    }
  }

  /** Half-precision bit patterns and their exact float32 values: normal, subnormal, extreme, signed zero, infinite. */
  @ParameterizedTest(name = "F16 {0} = {1}")
  @CsvSource({
      "3c00, 1.0", "c100, -2.5", "3555, 0.333251953125", "7bff, 65504.0", "0400, 6.103515625E-5",
      "0001, 5.9604644775390625E-8", "8001, -5.9604644775390625E-8", "03ff, 6.097555160522461E-5",
      "8000, -0.0", "7c00, Infinity", "fc00, -Infinity"})
  void readsF16Exactly(String bits, float expected) {
    assertEquals(expected, readOne("F16", shortBits(bits)), 0f);
  }

  @ParameterizedTest(name = "BF16 {0} = {1}")
  @CsvSource({
      "3f80, 1.0", "c020, -2.5", "3eab, 0.333984375", "7f7f, 3.3895313892515355E38", "0001, 9.183549615799121E-41",
      "8000, -0.0", "7f80, Infinity", "ff80, -Infinity"})
  void readsBf16Exactly(String bits, float expected) {
    assertEquals(expected, readOne("BF16", shortBits(bits)), 0f);
  }

  @Test
  void readsF16NaN() {
    assertTrue(Float.isNaN(readOne("F16", shortBits("7e00"))));
  }

  @ParameterizedTest(name = "F64 {0}")
  @CsvSource({"0.1", "-3.4028234663852886E38", "1.401298464324817E-45", "12345.678"})
  void readsF64AsTheNearestFloat(double value) {
    byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array();
    assertEquals((float) value, readOne("F64", data), 0f);
  }

  private float readOne(String dtype, byte[] data) {
    String header = "{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0," + data.length + "]}}";
    Path file = TestFiles.write(tmp.resolve(dtype + ".safetensors"), safetensors(header, data));
    INDArray x = SafeTensors.read(file, conf).get("x");
    assertEquals(DataType.FLOAT, x.dataType());
    assertArrayEquals(new long[] {1}, x.shape());
    return x.getFloat(0);
  }

  private static byte[] shortBits(String hex) {
    int v = Integer.parseInt(hex, 16);
    return new byte[] {(byte) v, (byte) (v >>> 8)};
  }

  @Test
  void skipsThePositionIdsBufferOnly() {
    String header = "{\"bert.embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
    byte[] data = concat(le64(0), le64(1), f32(1.5f, -2f));
    Path file = TestFiles.write(tmp.resolve("buffer.safetensors"), safetensors(header, data));
    Map<String, INDArray> t = SafeTensors.read(file, conf);
    assertEquals(List.of("w"), List.copyOf(t.keySet()));
    assertArrayEquals(new float[] {1.5f, -2f}, t.get("w").toFloatVector(), 0f);
  }

  /** A tensor of {@code n} F32 values at {@code [begin, end]}. */
  private static String f32Tensor(String name, int n, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[" + begin + "," + end + "]}";
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("shorter than 8 bytes", new byte[] {1, 2, 3}, "3 bytes, fewer than the 8-byte header length"),
        Arguments.of("header length past the end", concat(le64(1L << 40), "{}".getBytes()),
            "declares a header of 1099511627776 bytes, but only 2 bytes follow"),
        Arguments.of("header length negative as signed", concat(le64(-1), "{}".getBytes()),
            "declares a header of 18446744073709551615 bytes"),
        Arguments.of("header not JSON", safetensors("{not json", new byte[0]), "header is not valid JSON"),
        Arguments.of("header with trailing garbage", safetensors("{} {}", new byte[0]), "header is not valid JSON"),
        Arguments.of("duplicate tensor name", safetensors("{" + f32Tensor("a", 1, 0, 4) + "," + f32Tensor("a", 1, 0, 4)
            + "}", f32(1)), "header is not valid JSON"),
        Arguments.of("header not an object", safetensors("[1, 2]", new byte[0]),
            "header must be a JSON object, found ARRAY"),
        Arguments.of("unknown dtype", safetensors("{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            f32(1)), "tensor 'w' has unknown dtype 'F17'"),
        Arguments.of("8-bit float", safetensors("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}",
            new byte[1]), "tensor 'w' has dtype F8_E4M3, which is not supported"),
        Arguments.of("integer weight", safetensors("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
            le64(3)), "tensor 'ids' has integer dtype I64"),
        Arguments.of("no shape", safetensors("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32(1)),
            "tensor 'w' needs a \"shape\" array"),
        Arguments.of("negative dimension",
            safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", f32(1)),
            "tensor 'w' needs a \"shape\" array of non-negative integers, found [-1]"),
        Arguments.of("reversed offsets", safetensors("{" + f32Tensor("w", 1, 8, 4) + "}", f32(1, 2)),
            "tensor 'w' needs \"data_offsets\" [begin, end] with 0 <= begin <= end, found [8,4]"),
        Arguments.of("shape and offsets disagree", safetensors("{" + f32Tensor("w", 2, 0, 4) + "}", f32(1, 2)),
            "tensor 'w' of dtype F32 and shape [2] needs 8 bytes, but its data_offsets [0, 4] span 4"),
        Arguments.of("overflowing shape", safetensors("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
            + "\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'w' has an impossibly large shape"),
        Arguments.of("offsets outside the data area", safetensors("{" + f32Tensor("a", 1, 0, 4) + ","
            + f32Tensor("b", 1, 100, 104) + "}", f32(1, 2)),
            "tensor 'b' has data_offsets [100, 104] outside the data area of 8 bytes"),
        Arguments.of("overlapping tensors", safetensors("{" + f32Tensor("a", 2, 0, 8) + "," + f32Tensor("b", 2, 4, 12)
            + "}", f32(1, 2, 3)), "tensors 'a' [0, 8] and 'b' [4, 12] overlap"),
        Arguments.of("truncated data", safetensors("{" + f32Tensor("a", 2, 0, 8) + "," + f32Tensor("b", 2, 8, 16)
            + "}", f32(1, 2, 3)), "truncated: the header describes 16 bytes of tensor data, but only 12 follow it"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void badFileIsRefusedWithItsProblem(String what, byte[] content, String expected) {
    Path file = TestFiles.write(tmp.resolve("bad.safetensors"), content);
    assertFails(() -> SafeTensors.read(file, conf), file.toString(), expected);
  }

  @Test
  void everyTruncationOfAFileIsRefused() {
    Path good = TestFiles.path(tmp.resolve("good.safetensors"));
    SafeTensors.write(Map.of("a", Nd4j.rand(DataType.FLOAT, 3), "b", Nd4j.rand(DataType.FLOAT, 2, 2)), good, conf);
    byte[] bytes = TestFiles.bytes(good);
    for (int cut = 0; cut < bytes.length; cut++) {
      Path file = TestFiles.write(tmp.resolve("cut.safetensors"), Arrays.copyOf(bytes, cut));
      assertFails(() -> SafeTensors.read(file, conf), file.toString());
    }
  }

  @Test
  void shardedIndexReadsAsOneMapInWeightMapOrder() throws Exception {
    Map<String, INDArray> all = sample();
    Map<String, INDArray> first = new LinkedHashMap<>();
    Map<String, INDArray> second = new LinkedHashMap<>();
    StringBuilder weightMap = new StringBuilder();
    int i = 0;
    for (Map.Entry<String, INDArray> e : all.entrySet()) {
      String shard = i++ % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
      (shard.startsWith("model-00001") ? first : second).put(e.getKey(), e.getValue());
      weightMap.append(weightMap.length() == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"")
          .append(shard).append('"');
    }
    SafeTensors.write(first, TestFiles.path(tmp.resolve("model-00001-of-00002.safetensors")), conf);
    SafeTensors.write(second, TestFiles.path(tmp.resolve("model-00002-of-00002.safetensors")), conf);
    Path index = TestFiles.write(tmp.resolve(SafeTensors.INDEX_FILE),
        ("{\"metadata\":{\"total_size\":0},\"weight_map\":{" + weightMap + "}}").getBytes(StandardCharsets.UTF_8));

    assertSameTensors(all, SafeTensors.readSharded(index, conf));
  }

  @Test
  void shardedIndexNamingAShardThatLacksTheTensorIsRefused() {
    SafeTensors.write(Map.of("a", Nd4j.ones(DataType.FLOAT, 2)), TestFiles.path(tmp.resolve("s1.safetensors")), conf);
    SafeTensors.write(Map.of("b", Nd4j.ones(DataType.FLOAT, 2)), TestFiles.path(tmp.resolve("s2.safetensors")), conf);
    Path index = TestFiles.write(tmp.resolve(SafeTensors.INDEX_FILE),
        "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s1.safetensors\"}}".getBytes(StandardCharsets.UTF_8));
    assertFails(() -> SafeTensors.readSharded(index, conf), index.toString(), "[b]", "s1.safetensors",
        "does not contain it");
  }

  @Test
  void shardedIndexWithAPathOutsideItsDirectoryIsRefused() {
    Path index = TestFiles.write(tmp.resolve(SafeTensors.INDEX_FILE),
        "{\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}".getBytes(StandardCharsets.UTF_8));
    assertFails(() -> SafeTensors.readSharded(index, conf), "weight_map entry 'a'", "../elsewhere.safetensors");
  }
}
