package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shared test helpers: resources as Hadoop paths, hand-made files, exact tensor comparison. */
final class TestFiles {
  private TestFiles() {}

  /** A classpath resource as a local Hadoop path (tests never read /work/shared). */
  static Path resource(String name) {
    URL url = TestFiles.class.getResource(name);
    if (url == null) throw new IllegalArgumentException("no test resource " + name);
    try {
      return new Path(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path path(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  static Path write(java.nio.file.Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path(file);
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(java.nio.file.Path.of(p.toUri()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A safetensors file with the given header text (unpadded) followed by {@code data}. */
  static byte[] safetensors(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return concat(le64(h.length), h, data);
  }

  static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  static byte[] f32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  /** A zip archive of the given entries (deflated, as java.util.zip writes them). */
  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Same names in the same order, same shapes, bit-identical float32 values. */
  static void assertSameTensors(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    for (String name : expected.keySet()) assertSameTensor(name, expected.get(name), actual.get(name));
  }

  static void assertSameTensor(String name, INDArray expected, INDArray actual) {
    assertArrayEquals(expected.shape(), actual.shape(), name + " shape");
    assertArrayEquals(Tensors.toFloats(expected), Tensors.toFloats(actual), 0f, name + " values");
  }

  /** Asserts a {@link CheckpointException} whose message contains every fragment; returns the message. */
  static String assertFails(Executable run, String... fragments) {
    CheckpointException e = assertThrows(CheckpointException.class, run);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
    }
    return e.getMessage();
  }

  /**
   * Writes pickles opcode by opcode, to build the torch files torch itself would not write (malicious globals,
   * broken lengths, the old _rebuild_tensor).
   */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle() {
      op(0x80).op(2); // PROTO 2
    }

    Pickle op(int b) {
      out.write(b);
      return this;
    }

    Pickle raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Pickle global(String module, String name) {
      return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op('X').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array()).raw(b);
    }

    /** BININT (signed 32-bit). */
    Pickle integer(int v) {
      return op('J').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /** LONG1 with 8 bytes. */
    Pickle longValue(long v) {
      return op(0x8a).op(8).raw(le64(v));
    }

    /** A tuple of small non-negative ints. */
    Pickle ints(long... values) {
      op('(');
      for (long v : values) longValue(v);
      return op('t');
    }

    Pickle mark() {
      return op('(');
    }

    Pickle tuple() {
      return op('t');
    }

    /** ('storage', torch.<type>, key, 'cpu', numel) as a persistent id. */
    Pickle storage(String type, String key, long numel) {
      return mark().str("storage").global("torch", type).str(key).str("cpu").longValue(numel).tuple().op('Q');
    }

    /** _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
    Pickle tensorV2(String type, String key, long numel, long offset, long[] size, long[] stride) {
      global("torch._utils", "_rebuild_tensor_v2").mark().storage(type, key, numel).longValue(offset).ints(size)
          .ints(stride).op(0x89).global("collections", "OrderedDict").op(')').op('R').tuple();
      return op('R');
    }

    byte[] stop() {
      op('.');
      return out.toByteArray();
    }
  }

  /** A state-dict pickle of a single entry {@code name}; {@code value} appends the value's opcodes. */
  static byte[] stateDict(String name, java.util.function.Consumer<Pickle> value) {
    Pickle p = new Pickle().op('}').str(name);
    value.accept(p);
    return p.op('s').stop();
  }

  /** A torch zip archive: archive/data.pkl plus archive/data/&lt;key&gt; entries. */
  static byte[] torchZip(byte[] dataPkl, Map<String, byte[]> storages) {
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    entries.put("archive/data.pkl", dataPkl);
    storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
    entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return zip(entries);
  }

  /**
   * A legacy torch.save file: magic number, protocol version, system info, {@code main}, the storage keys, then per
   * storage its element count and bytes.
   */
  static byte[] torchLegacy(byte[] main, List<String> keys, List<Long> counts, List<byte[]> data) {
    byte[] magic = new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10,
        0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    byte[] version = new Pickle().op('M').op(1001 & 0xff).op(1001 >> 8).stop();
    byte[] sysInfo = new Pickle().op('}').str("little_endian").op(0x88).op('s').stop();
    Pickle keyList = new Pickle().op(']').mark();
    for (String k : keys) keyList.str(k);
    byte[] keyBytes = keyList.op('e').stop();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(concat(magic, version, sysInfo, main, keyBytes));
    for (int i = 0; i < counts.size(); i++) {
      out.writeBytes(le64(counts.get(i)));
      out.writeBytes(data.get(i));
    }
    return out.toByteArray();
  }
}
