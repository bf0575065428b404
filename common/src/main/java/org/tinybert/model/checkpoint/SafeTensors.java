package org.tinybert.model.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.io.HadoopIO;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * {@code {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}}, then the raw
 * little-endian tensor bytes, offsets counted from the first byte after the header.
 *
 * <p>Reading converts F32, F16, BF16 and F64 to float32 and checks the whole header before it allocates anything
 * for the data, so a damaged file fails with a {@link CheckpointException} naming the file and the problem, never
 * with an OutOfMemoryError or a half-loaded model. Tensors are read one at a time with positioned reads, so memory
 * stays at the result plus one small chunk.
 *
 * <p>Integer tensors are never weights. The only ones Hugging Face writes are derived buffers
 * ({@code bert.embeddings.position_ids}, {@code token_type_ids}) that the model recomputes, so those are skipped;
 * any other integer tensor is an error rather than being silently dropped ({@link HfNames#isIntegerBuffer}).
 */
public final class SafeTensors {
  private SafeTensors() {}

  /** The name of the sharded-checkpoint index Hugging Face writes beside the shards. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  /** The largest header accepted: the limit of Hugging Face's own reader. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** One tensor as the header describes it; {@code begin}/{@code end} are offsets into the data area. */
  private record Entry(String name, ElementType type, long[] shape, long begin, long end) {
    String range() {
      return "[" + begin + ", " + end + "]";
    }
  }

  /** A parsed, validated header; {@code dataStart} is the file offset of the data area. */
  private record Header(List<Entry> entries, long dataStart) {
    Entry find(String name) {
      for (Entry e : entries) {
        if (e.name.equals(name)) return e;
      }
      return null;
    }
  }

  /** Every floating-point tensor of {@code file} as float32, in header order; see the class comment for integers. */
  public static Map<String, INDArray> read(Path file, Configuration conf) {
    try (FSDataInputStream in = HadoopIO.open(file, conf)) {
      Header header = parseHeader(in, HadoopIO.length(file, conf), file);
      return readTensors(in, header, name -> true, file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * A sharded checkpoint read as one map: {@code index} is a {@code model.safetensors.index.json} whose
   * {@code weight_map} maps each tensor name to a shard file in the same directory. The result follows the order of
   * {@code weight_map}; a name mapped to a shard that lacks it is an error.
   */
  public static Map<String, INDArray> readSharded(Path index, Configuration conf) {
    JsonNode root;
    try {
      root = JSON.readTree(HadoopIO.readAll(index, conf));
    } catch (IOException e) {
      if (e instanceof JsonProcessingException j) {
        throw CheckpointException.of(index, "not valid JSON: " + j.getOriginalMessage(), e);
      }
      throw new UncheckedIOException(index + ": cannot read: " + e.getMessage(), e);
    }
    JsonNode weightMap = root == null ? null : root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw CheckpointException.of(index, "expected a JSON object with a \"weight_map\" object, found "
          + (root == null ? "nothing" : root.getNodeType()));
    }
    Map<String, List<String>> namesByShard = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String shard = f.getValue().isTextual() ? f.getValue().asText() : null;
      if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
        throw CheckpointException.of(index, "weight_map entry '" + f.getKey()
            + "' must name a shard file in the same directory, found " + f.getValue());
      }
      namesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(f.getKey());
      order.add(f.getKey());
    }
    Map<String, INDArray> all = new HashMap<>();
    for (Map.Entry<String, List<String>> shard : namesByShard.entrySet()) {
      Path file = new Path(index.getParent(), shard.getKey());
      try (FSDataInputStream in = HadoopIO.open(file, conf)) {
        Header header = parseHeader(in, HadoopIO.length(file, conf), file);
        List<String> missing = shard.getValue().stream().filter(n -> header.find(n) == null).toList();
        if (!missing.isEmpty()) {
          throw CheckpointException.of(index, "weight_map maps " + missing + " to shard " + shard.getKey()
              + ", which does not contain " + (missing.size() == 1 ? "it" : "them"));
        }
        all.putAll(readTensors(in, header, shard.getValue()::contains, file));
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
      }
    }
    Map<String, INDArray> ordered = new LinkedHashMap<>();
    for (String name : order) {
      if (all.containsKey(name)) ordered.put(name, all.get(name));
    }
    return ordered;
  }

  private static Header parseHeader(FSDataInputStream in, long fileLength, Path file) throws IOException {
    if (fileLength < 8) {
      throw CheckpointException.of(file, "not a safetensors file: " + fileLength
          + " bytes, fewer than the 8-byte header length it must start with");
    }
    byte[] lengthBytes = new byte[8];
    in.readFully(0, lengthBytes, 0, 8);
    long n = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    // Checked before allocating: a damaged length must not become a giant byte[].
    if (n < 0 || n > fileLength - 8) {
      throw CheckpointException.of(file, "declares a header of " + Long.toUnsignedString(n)
          + " bytes, but only " + (fileLength - 8) + " bytes follow the header length");
    }
    if (n > MAX_HEADER_BYTES) {
      throw CheckpointException.of(file, "declares a header of " + n + " bytes, more than the "
          + MAX_HEADER_BYTES + " a safetensors header may have");
    }
    byte[] json = new byte[(int) n];
    in.readFully(8, json, 0, json.length);
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw CheckpointException.of(file, "header is not valid JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage()), e);
    }
    if (root == null || !root.isObject()) {
      throw CheckpointException.of(file, "header must be a JSON object, found "
          + (root == null ? "nothing" : root.getNodeType()));
    }
    long dataStart = 8 + n;
    long dataLength = fileLength - dataStart;
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        if (!f.getValue().isObject()) throw CheckpointException.of(file, "__metadata__ must be a JSON object");
        continue;
      }
      entries.add(entry(f.getKey(), f.getValue(), file));
    }
    checkLayout(entries, dataLength, file);
    return new Header(entries, dataStart);
  }

  private static Entry entry(String name, JsonNode info, Path file) {
    String where = "tensor '" + name + "'";
    if (!info.isObject()) throw CheckpointException.of(file, where + " must be described by a JSON object");
    JsonNode dtype = info.get("dtype");
    if (dtype == null || !dtype.isTextual()) throw CheckpointException.of(file, where + " has no \"dtype\" string");
    ElementType type = ElementType.byName(dtype.asText());
    if (type == null) {
      throw CheckpointException.of(file, where + " has unknown dtype '" + dtype.asText() + "' (known: "
          + Arrays.toString(ElementType.values()) + ")");
    }
    if (type.kind == ElementType.Kind.UNSUPPORTED) {
      throw CheckpointException.of(file, where + " has dtype " + type + ", which is not supported (F32, F16, BF16"
          + " and F64 are)");
    }
    if (type.kind == ElementType.Kind.INTEGER && !HfNames.isIntegerBuffer(name)) {
      throw CheckpointException.of(file, where + " has integer dtype " + type + "; weights are floating point and"
          + " the only integer tensors skipped are the buffers position_ids and token_type_ids");
    }
    long[] shape = naturals(info.get("shape"), -1);
    if (shape == null) {
      throw CheckpointException.of(file, where + " needs a \"shape\" array of non-negative integers, found "
          + info.get("shape"));
    }
    long[] offsets = naturals(info.get("data_offsets"), 2);
    if (offsets == null || offsets[0] > offsets[1]) {
      throw CheckpointException.of(file, where + " needs \"data_offsets\" [begin, end] with 0 <= begin <= end,"
          + " found " + info.get("data_offsets"));
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(Tensors.numel(shape), type.size);
    } catch (ArithmeticException e) {
      throw CheckpointException.of(file, where + " has an impossibly large shape " + Tensors.shape(shape));
    }
    if (bytes != offsets[1] - offsets[0]) {
      throw CheckpointException.of(file, where + " of dtype " + type + " and shape " + Tensors.shape(shape)
          + " needs " + bytes + " bytes, but its data_offsets " + Arrays.toString(offsets) + " span "
          + (offsets[1] - offsets[0]));
    }
    if (type.kind == ElementType.Kind.FLOAT && bytes / type.size > ElementType.MAX_ELEMENTS) {
      throw CheckpointException.of(file, where + " has " + bytes / type.size + " elements, more than one array"
          + " holds (" + ElementType.MAX_ELEMENTS + ")");
    }
    return new Entry(name, type, shape, offsets[0], offsets[1]);
  }

  /** Non-negative integers of a JSON array ({@code length} of them unless it is -1), or null. */
  private static long[] naturals(JsonNode node, int length) {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) return null;
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) return null;
      out[i] = v.asLong();
    }
    return out;
  }

  /** Every tensor inside the data area and no two sharing a byte. */
  private static void checkLayout(List<Entry> entries, long dataLength, Path file) {
    List<Entry> byBegin = new ArrayList<>(entries);
    byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    Entry reach = null; // the non-empty tensor reaching furthest so far
    boolean tiled = true; // whether the non-empty tensors so far cover [0, reach.end) without gaps
    for (Entry e : byBegin) {
      if (e.begin == e.end) continue;
      if (reach != null && e.begin < reach.end) {
        throw CheckpointException.of(file, "tensors '" + reach.name + "' " + reach.range() + " and '" + e.name
            + "' " + e.range() + " overlap");
      }
      tiled &= e.begin == (reach == null ? 0 : reach.end);
      reach = e;
    }
    if (reach == null || reach.end <= dataLength) return;
    // A header whose tensors tile the data area without gaps is self-consistent: the file was cut short.
    if (tiled) {
      throw CheckpointException.of(file, "truncated: the header describes " + reach.end
          + " bytes of tensor data, but only " + dataLength + " follow it");
    }
    for (Entry e : byBegin) {
      if (e.end > dataLength) {
        throw CheckpointException.of(file, "tensor '" + e.name + "' has data_offsets " + e.range()
            + " outside the data area of " + dataLength + " bytes");
      }
    }
  }

  private static Map<String, INDArray> readTensors(FSDataInputStream in, Header header, Predicate<String> wanted,
      Path file) throws IOException {
    List<Entry> byBegin = new ArrayList<>(header.entries);
    byBegin.sort(Comparator.comparingLong(Entry::begin)); // sequential reads
    Map<String, INDArray> read = new HashMap<>();
    for (Entry e : byBegin) {
      if (e.type.kind != ElementType.Kind.FLOAT || !wanted.test(e.name)) continue;
      long[] position = {header.dataStart + e.begin};
      float[] values;
      try {
        values = e.type.readFloats((e.end - e.begin) / e.type.size, (buf, len) -> {
          in.readFully(position[0], buf, 0, len);
          position[0] += len;
        });
      } catch (EOFException eof) {
        throw CheckpointException.of(file, "truncated while reading tensor '" + e.name + "' " + e.range(), eof);
      }
      read.put(e.name, Tensors.create(values, e.shape));
    }
    Map<String, INDArray> ordered = new LinkedHashMap<>();
    for (Entry e : header.entries) {
      if (read.containsKey(e.name)) ordered.put(e.name, read.get(e.name));
    }
    return ordered;
  }

  /**
   * Writes {@code tensors} as float32 safetensors, names sorted, metadata {@code {"format": "pt"}} (what
   * {@code transformers} expects), header padded with spaces to a multiple of 8 so the data is aligned. The file
   * appears only once complete (written to a temporary name, then renamed).
   */
  public static void write(Map<String, INDArray> tensors, Path file, Configuration conf) {
    TreeMap<String, INDArray> sorted = new TreeMap<>();
    for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
      if (t.getKey() == null || t.getKey().isEmpty() || t.getKey().equals("__metadata__")) {
        throw CheckpointException.of(file, "cannot write a tensor named '" + t.getKey() + "'");
      }
      if (t.getValue() == null) throw CheckpointException.of(file, "tensor '" + t.getKey() + "' is null");
      sorted.put(t.getKey(), t.getValue());
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, INDArray> t : sorted.entrySet()) {
      long bytes = t.getValue().length() * 4;
      ObjectNode info = root.putObject(t.getKey());
      info.put("dtype", "F32");
      ArrayNode shape = info.putArray("shape");
      for (long d : t.getValue().shape()) shape.add(d);
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    try {
      HadoopIO.writeAtomically(file, conf, raw -> {
        OutputStream out = new BufferedOutputStream(raw, ElementType.CHUNK_BYTES);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(ElementType.CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (INDArray t : sorted.values()) {
          for (float v : Tensors.toFloats(t)) {
            if (!chunk.hasRemaining()) {
              out.write(chunk.array(), 0, chunk.position());
              chunk.clear();
            }
            chunk.putFloat(v);
          }
        }
        out.write(chunk.array(), 0, chunk.position());
        out.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
