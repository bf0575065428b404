package org.tinybert.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tinybert.model.checkpoint.TestFiles.assertFails;
import static org.tinybert.model.checkpoint.TestFiles.f32;
import static org.tinybert.model.checkpoint.TestFiles.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TorchCheckpointTest {
  private static final String DIR = "/org/tinybert/model/checkpoint/";
  private final Configuration conf = new Configuration();

  @TempDir
  java.nio.file.Path tmp;

  /**
   * Files written by torch 1.13's torch.save (make_fixtures.py): views, offsets, shared storages, F16/BF16/F64, a
   * scalar, a Parameter and an int64 position_ids buffer, in the zip format (protocols 2 and 4) and the legacy one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"small_zip.bin", "small_zip_protocol4.bin", "small_legacy.bin"})
  void readsWhatTorchSaved(String file) throws Exception {
    Map<String, INDArray> t = TorchCheckpoint.read(resource(DIR + file), conf);

    JsonNode expected = new ObjectMapper().readTree(TestFiles.bytes(resource(DIR + "small_expected.json")));
    List<String> names = new ArrayList<>();
    expected.fieldNames().forEachRemaining(names::add);
    assertEquals(names, List.copyOf(t.keySet()), "the int64 position_ids buffer is skipped, order kept");
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      INDArray actual = t.get(e.getKey());
      assertEquals(DataType.FLOAT, actual.dataType());
      long[] shape = new long[e.getValue().get("shape").size()];
      for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get("shape").get(i).asLong();
      assertArrayEquals(shape, actual.shape(), e.getKey());
      JsonNode values = e.getValue().get("values");
      float[] want = new float[values.size()];
      for (int i = 0; i < want.length; i++) want[i] = (float) values.get(i).asDouble();
      assertArrayEquals(want, Tensors.toFloats(actual), 0f, e.getKey());
    }
  }

  @Test
  void refusesAPickleCallingOsSystem() {
    Path file = resource(DIR + "malicious_os_system.pkl");
    assertFails(() -> TorchCheckpoint.read(file, conf), file.toString(), "global 'os.system'", "refusing");
  }

  @Test
  void refusesATorchSavedObjectCallingEval() {
    Path file = resource(DIR + "malicious_eval_zip.bin");
    // Python 3 pickles builtins.eval under its Python 2 name with protocol 2.
    assertFails(() -> TorchCheckpoint.read(file, conf), file.toString(), "global '__builtin__.eval'");
  }

  @ParameterizedTest(name = "{0}.{1}")
  @CsvSource({"os, system", "posix, system", "builtins, eval", "builtins, exec", "builtins, getattr",
      "subprocess, Popen", "torch.storage, _load_from_bytes", "torch, load", "numpy.core.multiarray, _reconstruct",
      "collections, defaultdict"})
  void refusesEveryOtherGlobalInBothFormats(String module, String name) {
    byte[] evil = TestFiles.stateDict("w", p -> p.global(module, name).str("x").op(0x85).op('R'));
    String global = "global '" + module + "." + name + "'";
    Path zip = TestFiles.write(tmp.resolve("evil.zip.bin"), TestFiles.torchZip(evil, Map.of()));
    assertFails(() -> TorchCheckpoint.read(zip, conf), zip.toString(), global);
    Path legacy = TestFiles.write(tmp.resolve("evil.legacy.bin"), TestFiles.torchLegacy(evil, List.of(), List.of(),
        List.of()));
    assertFails(() -> TorchCheckpoint.read(legacy, conf), legacy.toString(), global);
    // Protocol 4 names globals from the stack instead.
    byte[] stackGlobal = TestFiles.stateDict("w", p -> p.op(0x8c).op(module.length()).raw(module.getBytes())
        .op(0x8c).op(name.length()).raw(name.getBytes()).op(0x93));
    Path zip4 = TestFiles.write(tmp.resolve("evil4.zip.bin"), TestFiles.torchZip(stackGlobal, Map.of()));
    assertFails(() -> TorchCheckpoint.read(zip4, conf), global);
  }

  @Test
  void refusesCallingAStorageType() {
    byte[] pkl = TestFiles.stateDict("w", p -> p.global("torch", "FloatStorage").op(')').op('R'));
    Path zip = TestFiles.write(tmp.resolve("call.bin"), TestFiles.torchZip(pkl, Map.of()));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "'torch.FloatStorage' cannot be called");
  }

  /** The legacy format's storages follow the pickles as (element count, bytes); both formats share this dict. */
  private static byte[] viewOfSixFloats(long offset, long[] size, long[] stride) {
    return TestFiles.stateDict("w", p -> p.tensorV2("FloatStorage", "0", 6, offset, size, stride));
  }

  private static final byte[] SIX = f32(0, 1, 2, 3, 4, 5);

  @Test
  void materialisesStridedViewsInBothFormats() {
    byte[] pkl = viewOfSixFloats(1, new long[] {2, 2}, new long[] {1, 3}); // [[1, 4], [2, 5]]
    Path zip = TestFiles.write(tmp.resolve("v.zip.bin"), TestFiles.torchZip(pkl, Map.of("0", SIX)));
    Path legacy = TestFiles.write(tmp.resolve("v.legacy.bin"),
        TestFiles.torchLegacy(pkl, List.of("0"), List.of(6L), List.of(SIX)));
    for (Path file : List.of(zip, legacy)) {
      INDArray w = TorchCheckpoint.read(file, conf).get("w");
      assertArrayEquals(new long[] {2, 2}, w.shape());
      assertArrayEquals(new float[] {1, 4, 2, 5}, Tensors.toFloats(w), 0f, file.toString());
    }
  }

  @Test
  void readsTheOldRebuildTensor() {
    byte[] pkl = TestFiles.stateDict("w", p -> p.global("torch._utils", "_rebuild_tensor").mark()
        .storage("FloatStorage", "0", 6).longValue(1).ints(2).ints(2).tuple().op('R'));
    Path zip = TestFiles.write(tmp.resolve("v1.bin"), TestFiles.torchZip(pkl, Map.of("0", SIX)));
    assertArrayEquals(new float[] {1, 3}, Tensors.toFloats(TorchCheckpoint.read(zip, conf).get("w")), 0f);
  }

  @Test
  void refusesAViewReachingPastItsStorage() {
    byte[] pkl = viewOfSixFloats(2, new long[] {5}, new long[] {1});
    Path zip = TestFiles.write(tmp.resolve("far.bin"), TestFiles.torchZip(pkl, Map.of("0", SIX)));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "size [5], stride [1] and offset 2 reaches element 6",
        "which has 6");
  }

  @Test
  void refusesAStorageEntryOfTheWrongSize() {
    Path zip = TestFiles.write(tmp.resolve("size.bin"), TestFiles.torchZip(
        viewOfSixFloats(0, new long[] {6}, new long[] {1}), Map.of("0", f32(1, 2, 3))));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "archive/data/0 has 12 bytes", "needs 24");
  }

  @Test
  void refusesAMissingStorageEntry() {
    Path zip = TestFiles.write(tmp.resolve("missing.bin"), TestFiles.torchZip(
        viewOfSixFloats(0, new long[] {6}, new long[] {1}), Map.of()));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "storage '0' has no entry archive/data/0");
  }

  @ParameterizedTest(name = "element count {0}")
  @ValueSource(longs = {5, 7, 1L << 60, -1})
  void refusesALegacyElementCountOtherThanDeclared(long count) {
    byte[] pkl = viewOfSixFloats(0, new long[] {6}, new long[] {1});
    Path legacy = TestFiles.write(tmp.resolve("count.bin"),
        TestFiles.torchLegacy(pkl, List.of("0"), List.of(count), List.of(SIX)));
    assertFails(() -> TorchCheckpoint.read(legacy, conf), "storage '0' has " + count + " elements",
        "declared 6");
  }

  @Test
  void refusesAHugeDeclaredStorageBeforeAllocating() {
    long huge = 1L << 40;
    byte[] pkl = TestFiles.stateDict("w", p -> p.tensorV2("FloatStorage", "0", huge, 0, new long[] {6},
        new long[] {1}));
    Path legacy = TestFiles.write(tmp.resolve("huge.bin"),
        TestFiles.torchLegacy(pkl, List.of("0"), List.of(huge), List.of(SIX)));
    assertFails(() -> TorchCheckpoint.read(legacy, conf), "storage '0' of 1099511627776 elements is larger");
  }

  @Test
  void refusesALegacyStorageLongerThanTheFile() {
    long big = 1L << 20;
    byte[] pkl = TestFiles.stateDict("w", p -> p.tensorV2("FloatStorage", "0", big, 0, new long[] {6},
        new long[] {1}));
    Path legacy = TestFiles.write(tmp.resolve("long.bin"),
        TestFiles.torchLegacy(pkl, List.of("0"), List.of(big), List.of(SIX)));
    assertFails(() -> TorchCheckpoint.read(legacy, conf), "truncated: needs 4194304 more bytes");
  }

  @Test
  void refusesAnIntegerTensorThatIsNotABuffer() {
    byte[] pkl = TestFiles.stateDict("input_ids", p -> p.tensorV2("LongStorage", "0", 1, 0, new long[] {1},
        new long[] {1}));
    Path zip = TestFiles.write(tmp.resolve("ints.bin"), TestFiles.torchZip(pkl, Map.of("0", TestFiles.le64(7))));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "tensor 'input_ids' is a LongStorage (integer)");
  }

  @Test
  void refusesAFileThatIsNeitherFormat() {
    Path file = TestFiles.write(tmp.resolve("text.bin"), "hello".getBytes());
    assertFails(() -> TorchCheckpoint.read(file, conf), file.toString(), "neither a torch zip archive",
        "68 65 6c 6c");
  }

  @Test
  void refusesAStateDictThatHoldsSomethingElse() {
    byte[] pkl = TestFiles.stateDict("w", p -> p.str("not a tensor"));
    Path zip = TestFiles.write(tmp.resolve("str.bin"), TestFiles.torchZip(pkl, Map.of()));
    assertFails(() -> TorchCheckpoint.read(zip, conf), "state dict entry 'w' is 'not a tensor', not a tensor");
  }

  /** Every cut of a real torch file, zip or legacy, is refused; none loads partially or fails otherwise. */
  @ParameterizedTest
  @ValueSource(strings = {"small_zip.bin", "small_legacy.bin"})
  void everyTruncationIsRefused(String name) throws Exception {
    byte[] bytes = TestFiles.bytes(resource(DIR + name));
    java.nio.file.Path cut = tmp.resolve("cut.bin");
    for (int n = 0; n < bytes.length; n++) {
      Files.write(cut, Arrays.copyOf(bytes, n));
      assertFails(() -> TorchCheckpoint.read(TestFiles.path(cut), conf), cut.toString());
    }
  }

  /** Random damage either still reads or fails with a CheckpointException: never another exception or an OOM. */
  @ParameterizedTest
  @ValueSource(strings = {"small_zip.bin", "small_legacy.bin", "small_zip_protocol4.bin"})
  void randomDamageFailsCleanly(String name) throws Exception {
    byte[] bytes = TestFiles.bytes(resource(DIR + name));
    Random random = new Random(name.hashCode());
    java.nio.file.Path damaged = tmp.resolve("damaged.bin");
    for (int trial = 0; trial < 300; trial++) {
      byte[] copy = bytes.clone();
      for (int k = 0; k <= trial % 3; k++) copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
      Files.write(damaged, copy);
      try {
        TorchCheckpoint.read(TestFiles.path(damaged), conf);
      } catch (CheckpointException expected) {
        // a clean refusal
      }
    }
  }
}
