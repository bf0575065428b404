package org.tinybert.model.checkpoint;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.checkpoint.RestrictedUnpickler.Global;
import org.tinybert.model.checkpoint.RestrictedUnpickler.Tuple;

/**
 * Reads a state dict saved by {@code torch.save} ({@code pytorch_model.bin}) into float32 arrays, in both of
 * torch's formats:
 * <ul>
 *   <li>zip (torch >= 1.6): {@code <archive>/data.pkl} holds the pickled dict, {@code <archive>/data/<key>} the raw
 *       little-endian bytes of each storage;</li>
 *   <li>legacy (torch < 1.6, the format of the 2019/2020 TinyBERT releases): five pickles in a row (a magic number,
 *       the protocol version 1001, a system-info dict, the state dict, the sorted list of storage keys), then per
 *       storage an 8-byte little-endian element count and its raw bytes.</li>
 * </ul>
 *
 * <p>The pickles go through {@link RestrictedUnpickler}: a global outside {@link #ALLOWED_GLOBALS} (say
 * {@code os.system}, {@code builtins.eval}, or {@code torch.storage._load_from_bytes}, which runs torch.load on
 * embedded bytes) is refused, so loading a checkpoint never runs code from it. Tensors may be views (storage
 * offset, any strides, storages shared between tensors); each is materialised as a fresh 'c'-order array. Every
 * length in the file is checked against the file's size before anything is allocated for it. Integer tensors
 * follow {@link HfNames#isIntegerBuffer}: the position_ids buffer is skipped, any other is an error.
 */
public final class TorchCheckpoint {
  private TorchCheckpoint() {}

  /** The globals a state dict's pickle needs, and so the only ones accepted. */
  static final Set<String> ALLOWED_GLOBALS = Set.of(
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor_v2",
      "torch._utils._rebuild_tensor",
      "torch._utils._rebuild_parameter",
      "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage",
      "torch.LongStorage", "torch.IntStorage");

  /** torch.serialization's MAGIC_NUMBER and PROTOCOL_VERSION, the first two pickles of the legacy format. */
  private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  private static final long LEGACY_PROTOCOL_VERSION = 1001;

  /**
   * At most this many times the file's size is materialised as float32: storages shared by several tensors (tied
   * weights) and half-precision files legitimately exceed 1x; a crafted file of overlapping views would not stop.
   */
  private static final long MATERIALISE_FACTOR = 8;

  private enum StorageType {
    FLOAT("FloatStorage", ElementType.F32), HALF("HalfStorage", ElementType.F16),
    BFLOAT16("BFloat16Storage", ElementType.BF16), DOUBLE("DoubleStorage", ElementType.F64),
    LONG("LongStorage", ElementType.I64), INT("IntStorage", ElementType.I32);

    final String pythonName;
    final ElementType element;

    StorageType(String pythonName, ElementType element) {
      this.pythonName = pythonName;
      this.element = element;
    }

    static StorageType of(Object o) {
      if (o instanceof Global g && g.module().equals("torch")) {
        for (StorageType t : values()) {
          if (t.pythonName.equals(g.name())) return t;
        }
      }
      return null;
    }
  }

  /** One saved storage; {@code data} is its float32 content once read (integer storages are never read). */
  private static final class Storage {
    final String key;
    final StorageType type;
    final long numel;
    float[] data;
    boolean read;

    Storage(String key, StorageType type, long numel) {
      this.key = key;
      this.type = type;
      this.numel = numel;
    }

    long bytes() {
      return numel * type.element.size;
    }
  }

  /** The part of a storage a tensor may address: all of it, or a legacy storage view. */
  private record Slice(Storage storage, long offset, long numel) {}

  /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view into a slice. */
  private record TensorRef(Slice slice, long offset, long[] size, long[] stride) {}

  /** Every floating-point tensor of the state dict saved in {@code file}, as float32, in the dict's order. */
  public static Map<String, INDArray> read(Path file, Configuration conf) {
    try {
      long length = HadoopIO.length(file, conf);
      byte[] head = new byte[4];
      int got;
      try (FSDataInputStream in = HadoopIO.open(file, conf)) {
        got = in.readNBytes(head, 0, 4);
      }
      if (got == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
        return readZip(file, conf, length);
      }
      if (got >= 1 && (head[0] & 0xff) == 0x80) return readLegacy(file, conf, length);
      throw CheckpointException.of(file, "neither a torch zip archive (PK\\3\\4) nor a legacy torch.save file"
          + " (a pickle, 0x80); it starts with " + hex(head, got));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  // ---- legacy format --------------------------------------------------------------------------------------------

  private static Map<String, INDArray> readLegacy(Path file, Configuration conf, long length) throws IOException {
    try (InputStream raw = HadoopIO.open(file, conf)) {
      BoundedInput in = new BoundedInput(new BufferedInputStream(raw, 1 << 16), length, file);
      Object magic = plainPickle(in);
      if (!(magic instanceof BigInteger m && m.equals(LEGACY_MAGIC))) {
        throw CheckpointException.of(file, "not a torch.save file: its first pickle is "
            + RestrictedUnpickler.describe(magic) + ", not torch's magic number 0x" + LEGACY_MAGIC.toString(16));
      }
      Object version = plainPickle(in);
      if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
        throw CheckpointException.of(file, "torch.save protocol version " + RestrictedUnpickler.describe(version)
            + ", expected " + LEGACY_PROTOCOL_VERSION);
      }
      Object sysInfo = plainPickle(in);
      if (!(sysInfo instanceof Map<?, ?> info)) {
        throw CheckpointException.of(file, "system info is " + RestrictedUnpickler.describe(sysInfo)
            + ", expected a dict");
      }
      if (Boolean.FALSE.equals(info.get("little_endian"))) {
        throw CheckpointException.of(file, "saved on a big-endian machine; only little-endian files are read");
      }
      StateDictHandler handler = new StateDictHandler(file);
      Object stateDict = new RestrictedUnpickler(in, ALLOWED_GLOBALS, handler).load();
      Map<String, TensorRef> tensors = tensors(stateDict, file);
      Object keys = plainPickle(in);
      if (!(keys instanceof List<?> keyList)) {
        throw CheckpointException.of(file, "the storage key list is " + RestrictedUnpickler.describe(keys));
      }
      for (Object key : keyList) {
        Storage s = key instanceof String k ? handler.storages.get(k) : null;
        if (s == null) {
          throw CheckpointException.of(file, "storage " + RestrictedUnpickler.describe(key)
              + " is listed but no tensor refers to it");
        }
        if (s.read) throw CheckpointException.of(file, "storage '" + s.key + "' is listed twice");
        long count = in.readLittleEndian(8);
        if (count != s.numel) {
          throw CheckpointException.of(file, "storage '" + s.key + "' has " + count + " elements at byte "
              + (in.position() - 8) + ", but its tensors declared " + s.numel);
        }
        if (s.bytes() > in.remaining()) throw in.truncated(s.bytes());
        if (s.type.element.kind == ElementType.Kind.FLOAT) {
          s.data = s.type.element.readFloats(s.numel, in::readFully);
        } else {
          in.skip(s.bytes());
        }
        s.read = true;
      }
      return materialise(tensors, handler, length, file);
    }
  }

  /** One of the legacy format's small pickles: no globals, no persistent ids. */
  private static Object plainPickle(BoundedInput in) throws IOException {
    return new RestrictedUnpickler(in, Set.of(), new RestrictedUnpickler.Handler() {
      @Override
      public Object persistentLoad(Object pid) {
        throw CheckpointException.of(in.source(), "unexpected storage reference outside the state dict");
      }

      @Override
      public Object reduce(Global callable, Tuple args) {
        throw new IllegalStateException("no global is allowed here");
      }

      @Override
      public Object build(Object obj, Object state) {
        throw CheckpointException.of(in.source(), "unexpected BUILD outside the state dict");
      }
    }).load();
  }

  // ---- zip format -----------------------------------------------------------------------------------------------

  private static Map<String, INDArray> readZip(Path file, Configuration conf, long length) throws IOException {
    // torch writes STORED entries with a trailing data descriptor, which ZipInputStream refuses; ZipFile reads the
    // sizes from the central directory instead but needs a local file.
    File local = localFile(file, conf);
    File temp = null;
    if (local == null) {
      temp = Files.createTempFile("tinybert-torch-", ".zip").toFile();
      try (InputStream in = HadoopIO.open(file, conf)) {
        Files.copy(in, temp.toPath(), StandardCopyOption.REPLACE_EXISTING);
      }
      local = temp;
    }
    try (ZipFile zip = new ZipFile(local)) {
      return readZip(zip, file, length);
    } catch (ZipException | EOFException e) {
      throw CheckpointException.of(file, "damaged zip archive: " + (e.getMessage() != null ? e.getMessage() : e), e);
    } catch (IllegalArgumentException e) {
      if (e instanceof CheckpointException c) throw c;
      throw CheckpointException.of(file, "damaged zip archive: " + e.getMessage(), e); // e.g. malformed names
    } finally {
      if (temp != null) Files.deleteIfExists(temp.toPath());
    }
  }

  private static File localFile(Path file, Configuration conf) {
    FileSystem fs = HadoopIO.fs(file, conf);
    Path qualified = fs.makeQualified(file);
    if (fs instanceof LocalFileSystem lfs) return lfs.pathToFile(qualified);
    if (fs instanceof RawLocalFileSystem raw) return raw.pathToFile(qualified);
    return null;
  }

  private static Map<String, INDArray> readZip(ZipFile zip, Path file, long length) throws IOException {
    ZipEntry pickle = null;
    for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
      ZipEntry e = it.nextElement();
      String name = e.getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        if (pickle != null) throw CheckpointException.of(file, "two data.pkl entries: " + pickle + " and " + e);
        pickle = e;
      }
    }
    if (pickle == null) throw CheckpointException.of(file, "a zip archive without <archive>/data.pkl");
    String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
    ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
    if (byteOrder != null) {
      String order = new String(entryBytes(zip, byteOrder, 16, file), StandardCharsets.US_ASCII).trim();
      if (!order.equals("little")) {
        throw CheckpointException.of(file, "byteorder is '" + order + "'; only little-endian files are read");
      }
    }
    byte[] pkl = entryBytes(zip, pickle, length, file);
    String source = file + "!" + pickle.getName();
    BoundedInput in = new BoundedInput(new ByteArrayInputStream(pkl), pkl.length, source);
    StateDictHandler handler = new StateDictHandler(source);
    Map<String, TensorRef> tensors = tensors(new RestrictedUnpickler(in, ALLOWED_GLOBALS, handler).load(), source);
    for (Storage s : handler.storages.values()) {
      String name = prefix + "data/" + s.key;
      ZipEntry e = zip.getEntry(name);
      if (e == null) throw CheckpointException.of(file, "storage '" + s.key + "' has no entry " + name);
      if (e.getSize() != s.bytes()) {
        throw CheckpointException.of(file, "entry " + name + " has " + e.getSize() + " bytes, but storage '" + s.key
            + "' of " + s.numel + " " + s.type.pythonName + " elements needs " + s.bytes());
      }
      if (s.type.element.kind == ElementType.Kind.FLOAT) {
        if (s.bytes() > length) throw CheckpointException.of(file, "entry " + name + " is larger than the file");
        try (InputStream data = zip.getInputStream(e)) {
          s.data = s.type.element.readFloats(s.numel, (buf, len) -> {
            if (data.readNBytes(buf, 0, len) < len) {
              throw CheckpointException.of(file, "entry " + name + " is truncated");
            }
          });
        }
      }
      s.read = true;
    }
    return materialise(tensors, handler, length, file);
  }

  /** A whole entry, refused if it claims more than {@code limit} bytes (torch stores entries uncompressed). */
  private static byte[] entryBytes(ZipFile zip, ZipEntry e, long limit, Path file) throws IOException {
    if (e.getSize() < 0 || e.getSize() > limit) {
      throw CheckpointException.of(file, "entry " + e.getName() + " claims " + e.getSize() + " bytes, more than the "
          + limit + " it may have");
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) e.getSize());
      if (b.length != e.getSize() || in.read() >= 0) {
        throw CheckpointException.of(file, "entry " + e.getName() + " does not have the " + e.getSize()
            + " bytes it claims");
      }
      return b;
    }
  }

  // ---- the state dict's pickle ----------------------------------------------------------------------------------

  /** Turns torch's calls into storages and tensor views; collects the storages the pickle refers to. */
  private static final class StateDictHandler implements RestrictedUnpickler.Handler {
    final Object source;
    final Map<String, Storage> storages = new LinkedHashMap<>();

    StateDictHandler(Object source) {
      this.source = source;
    }

    /** ('storage', type, key, location, numel) in the zip format; legacy adds a view (key, offset, numel) or None. */
    @Override
    public Object persistentLoad(Object pid) {
      if (!(pid instanceof Tuple t) || t.size() < 5 || t.size() > 6 || !"storage".equals(t.get(0))) {
        throw error("unsupported persistent id " + RestrictedUnpickler.describe(pid)
            + " (expected ('storage', type, key, location, numel[, view]))");
      }
      StorageType type = StorageType.of(t.get(1));
      if (type == null) {
        throw error("persistent id names " + RestrictedUnpickler.describe(t.get(1)) + ", not a storage type");
      }
      if (!(t.get(2) instanceof String key)) throw error("storage key " + RestrictedUnpickler.describe(t.get(2)));
      long numel = natural(t.get(4), "element count of storage '" + key + "'");
      if (numel > ElementType.MAX_ELEMENTS) {
        throw error("storage '" + key + "' of " + numel + " elements is larger than one array holds");
      }
      Storage s = storages.computeIfAbsent(key, k -> new Storage(k, type, numel));
      if (s.type != type || s.numel != numel) {
        throw error("storage '" + key + "' is declared as " + s.numel + " " + s.type.pythonName + " elements and as "
            + numel + " " + type.pythonName + " elements");
      }
      Object view = t.size() == 6 ? t.get(5) : RestrictedUnpickler.NONE;
      if (view == RestrictedUnpickler.NONE) return new Slice(s, 0, numel);
      if (!(view instanceof Tuple v) || v.size() != 3) {
        throw error("storage view " + RestrictedUnpickler.describe(view) + ", expected (key, offset, numel)");
      }
      long offset = natural(v.get(1), "storage view offset");
      long viewNumel = natural(v.get(2), "storage view size");
      if (offset + viewNumel > numel) {
        throw error("storage view [" + offset + ", " + (offset + viewNumel) + ") outside storage '" + key + "' of "
            + numel + " elements");
      }
      return new Slice(s, offset, viewNumel);
    }

    @Override
    public Object reduce(Global callable, Tuple args) {
      switch (callable.qualified()) {
        case "collections.OrderedDict" -> {
          if (args.size() == 0) return new LinkedHashMap<>();
          throw error("OrderedDict with arguments " + RestrictedUnpickler.describe(args));
        }
        case "torch._utils._rebuild_tensor_v2" -> {
          // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
          if (args.size() < 6 || args.size() > 7) throw error("_rebuild_tensor_v2 with " + args.size() + " arguments");
          return tensor(args);
        }
        case "torch._utils._rebuild_tensor" -> {
          if (args.size() != 4) throw error("_rebuild_tensor with " + args.size() + " arguments");
          return tensor(args);
        }
        case "torch._utils._rebuild_parameter" -> {
          // (data, requires_grad, backward_hooks): a Parameter is its tensor here.
          if (args.size() != 3 || !(args.get(0) instanceof TensorRef data)) {
            throw error("_rebuild_parameter with " + RestrictedUnpickler.describe(args) + ", expected a tensor");
          }
          return data;
        }
        default -> throw error("the global '" + callable.qualified() + "' cannot be called");
      }
    }

    private TensorRef tensor(Tuple args) {
      if (!(args.get(0) instanceof Slice slice)) {
        throw error("tensor storage is " + RestrictedUnpickler.describe(args.get(0)) + ", not a storage");
      }
      long offset = natural(args.get(1), "storage offset");
      long[] size = naturals(args.get(2), "size");
      long[] stride = naturals(args.get(3), "stride");
      if (size.length != stride.length) {
        throw error("size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ in rank");
      }
      try {
        long numel = Tensors.numel(size);
        if (numel > 0) {
          long last = offset;
          for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
          if (last >= slice.numel) {
            throw error("a tensor of size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                + " and offset " + offset + " reaches element " + last + " of storage '" + slice.storage.key
                + "', which has " + slice.numel);
          }
        }
        if (numel > ElementType.MAX_ELEMENTS) throw error("a tensor of " + numel + " elements is too large");
      } catch (ArithmeticException e) {
        throw error("a tensor of size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
            + " overflows");
      }
      return new TensorRef(slice, offset, size, stride);
    }

    /** OrderedDict state (its {@code _metadata}) and tensor state carry nothing the weights need. */
    @Override
    public Object build(Object obj, Object state) {
      if (obj instanceof Map || obj instanceof TensorRef) return obj;
      throw error("BUILD on " + RestrictedUnpickler.describe(obj));
    }

    private long natural(Object o, String what) {
      if (o instanceof Long l && l >= 0) return l;
      throw error(what + " must be a non-negative integer, found " + RestrictedUnpickler.describe(o));
    }

    private long[] naturals(Object o, String what) {
      if (!(o instanceof Tuple t)) throw error(what + " must be a tuple, found " + RestrictedUnpickler.describe(o));
      if (t.size() > 64) throw error(what + " has " + t.size() + " dimensions");
      long[] out = new long[t.size()];
      for (int i = 0; i < out.length; i++) out[i] = natural(t.get(i), what + "[" + i + "]");
      return out;
    }

    private CheckpointException error(String problem) {
      return CheckpointException.of(source, problem);
    }
  }

  /** The top-level dict as name -> tensor; anything else there is an error. */
  private static Map<String, TensorRef> tensors(Object stateDict, Object source) {
    if (!(stateDict instanceof Map<?, ?> dict)) {
      throw CheckpointException.of(source, "holds " + RestrictedUnpickler.describe(stateDict)
          + ", not a state dict (a dict of name -> tensor)");
    }
    Map<String, TensorRef> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw CheckpointException.of(source, "state dict key " + RestrictedUnpickler.describe(e.getKey())
            + " is not a string");
      }
      if (!(e.getValue() instanceof TensorRef t)) {
        throw CheckpointException.of(source, "state dict entry '" + name + "' is "
            + RestrictedUnpickler.describe(e.getValue()) + ", not a tensor");
      }
      out.put(name, t);
    }
    return out;
  }

  private static Map<String, INDArray> materialise(Map<String, TensorRef> tensors, StateDictHandler handler,
      long fileLength, Path file) {
    List<String> unread = new ArrayList<>();
    for (Storage s : handler.storages.values()) {
      if (!s.read) unread.add(s.key);
    }
    if (!unread.isEmpty()) throw CheckpointException.of(file, "storages " + unread + " are referred to but not saved");
    long budget = MATERIALISE_FACTOR * fileLength + (1 << 20);
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
      TensorRef t = e.getValue();
      Storage s = t.slice.storage;
      if (s.type.element.kind != ElementType.Kind.FLOAT) {
        if (HfNames.isIntegerBuffer(e.getKey())) continue;
        throw CheckpointException.of(file, "tensor '" + e.getKey() + "' is a " + s.type.pythonName + " (integer);"
            + " weights are floating point and the only integer tensors skipped are the buffers position_ids and"
            + " token_type_ids");
      }
      long numel = Tensors.numel(t.size);
      budget -= 4 * numel;
      if (budget < 0) {
        throw CheckpointException.of(file, "its tensors would take more than " + MATERIALISE_FACTOR
            + " times the file's size; refusing '" + e.getKey() + "' of shape " + Tensors.shape(t.size));
      }
      out.put(e.getKey(), Tensors.create(gather(s.data, t.slice.offset + t.offset, t.size, t.stride, (int) numel),
          t.size));
    }
    return out;
  }

  /** The elements of a strided view in 'c' order (bounds were checked when the view was read). */
  private static float[] gather(float[] storage, long offset, long[] size, long[] stride, int numel) {
    float[] out = new float[numel];
    if (numel == 0) return out;
    boolean contiguous = true;
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) contiguous = false;
      expected *= size[d];
    }
    if (contiguous) {
      System.arraycopy(storage, (int) offset, out, 0, numel);
      return out;
    }
    long[] index = new long[size.length];
    long at = offset;
    for (int i = 0; i < numel; i++) {
      out[i] = storage[(int) at];
      for (int d = size.length - 1; d >= 0; d--) { // odometer over the dimensions, last fastest
        if (++index[d] < size[d]) {
          at += stride[d];
          break;
        }
        at -= (size[d] - 1) * stride[d];
        index[d] = 0;
      }
    }
    return out;
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) sb.append(String.format("%02x ", b[i] & 0xff));
    return n == 0 ? "nothing (empty file)" : sb.toString().trim();
  }
}
