package org.tinybert.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The state's wire format: what a cluster round sends out and gets back, bit for bit. */
class AveragingRoundWireTest {

  private static INDArray[] state() {
    Random r = new Random(7);
    float[] params = new float[53];
    for (int i = 0; i < params.length; i++) params[i] = (float) r.nextGaussian();
    // Values a copy through float arithmetic or a lossy conversion would change.
    params[0] = -0.0f;
    params[1] = Float.NaN;
    params[2] = Float.MIN_VALUE;
    params[3] = Float.NEGATIVE_INFINITY;
    float[] updater = new float[106];
    for (int i = 0; i < updater.length; i++) updater[i] = r.nextFloat() * 1e-3f;
    // Arrays of their own, as a graph's parameters and optimiser state are (a reshape would make views).
    return new INDArray[] {Nd4j.create(params, new long[] {1, 53}, 'c'), Nd4j.create(updater, new long[] {1, 106}, 'c')};
  }

  private static INDArray[] zerosLike(INDArray[] like) {
    INDArray[] z = new INDArray[like.length];
    for (int a = 0; a < like.length; a++) z[a] = Nd4j.create(DataType.FLOAT, like[a].shape());
    return z;
  }

  private static int[] bits(INDArray a) {
    float[] f = a.toFloatVector();
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
    return out;
  }

  @Test
  void chunksAreLittleEndianFloatsAndEveryArrayStartsANewChunk() {
    INDArray[] s = state();
    byte[][] chunks = AveragingRound.toBytes(s, 20);
    // 53 floats: 20 + 20 + 13; 106 floats: 20 x 5 + 6.
    assertEquals(3 + 6, chunks.length);
    assertEquals(13 * Float.BYTES, chunks[2].length);
    assertEquals(6 * Float.BYTES, chunks[8].length);
    ByteBuffer first = ByteBuffer.wrap(chunks[0]).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer third = ByteBuffer.wrap(chunks[3]).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 20; i++) {
      assertEquals(Float.floatToRawIntBits(s[0].getFloat(i)), first.getInt(i * Float.BYTES));
      assertEquals(Float.floatToRawIntBits(s[1].getFloat(i)), third.getInt(i * Float.BYTES));
    }
  }

  @Test
  void readingChunksBackGivesTheSameBits() {
    INDArray[] s = state();
    for (int chunk : new int[] {1, 20, 53, AveragingRound.CHUNK_FLOATS}) {
      INDArray[] back = zerosLike(s);
      AveragingRound.readInto(AveragingRound.toBytes(s, chunk), back);
      for (int a = 0; a < s.length; a++) assertArrayEquals(bits(s[a]), bits(back[a]), "chunk size " + chunk);
    }
  }

  private static byte[] serialise(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static AveragingRound.Wire deserialise(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (AveragingRound.Wire) in.readObject();
    }
  }

  @Test
  void aStateSentFromTheArraysArrivesAsTheirChunksAndFreesThemOnceWritten() throws Exception {
    INDArray[] s = state();
    for (int chunk : new int[] {1, 20, 53, AveragingRound.CHUNK_FLOATS}) {
      AtomicInteger released = new AtomicInteger();
      AveragingRound.Wire sent = AveragingRound.Wire.sending(s, chunk, released::incrementAndGet);
      assertTrue(sent.releasesWhenWritten(), "host arrays are written from their memory");
      assertEquals(0, released.get(), "the arrays are in use until written");
      byte[] streamed = serialise(sent);
      assertEquals(1, released.get());
      // The same bytes as a state copied into chunks first, and it arrives as those chunks.
      byte[][] expected = AveragingRound.toBytes(s, chunk);
      assertArrayEquals(serialise(AveragingRound.Wire.of(expected)), streamed, "chunk size " + chunk);
      byte[][] arrived = deserialise(streamed).chunks();
      assertEquals(expected.length, arrived.length);
      for (int c = 0; c < expected.length; c++) assertArrayEquals(expected[c], arrived[c], "chunk " + c);
      INDArray[] back = zerosLike(s);
      AveragingRound.readInto(arrived, back);
      for (int a = 0; a < s.length; a++) assertArrayEquals(bits(s[a]), bits(back[a]), "chunk size " + chunk);
    }
  }

  @Test
  void arraysAreFreedEvenWhenWritingFails() {
    AtomicInteger released = new AtomicInteger();
    AveragingRound.Wire sent = AveragingRound.Wire.sending(state(), 20, released::incrementAndGet);
    OutputStream full = new OutputStream() {
      private int left = 300;

      @Override
      public void write(int b) throws IOException {
        if (--left < 0) throw new IOException("no space left");
      }
    };
    assertThrows(IOException.class, () -> new ObjectOutputStream(full).writeObject(sent));
    assertEquals(1, released.get());
  }

  @Test
  void aHeapTooSmallForAnArrivingStateSaysSoInsteadOfBreakingTheStream() throws Exception {
    INDArray[] s = state();
    AveragingRound.Report report = new AveragingRound.Report(3, 0.5, 1.0, AveragingRound.Wire.sending(s, 20, null), 0, 0);
    // As Spark collects a task's records: an array, here with something after the state.
    byte[] bytes = serialise(new Object[] {report, "after"});
    AtomicInteger allocations = new AtomicInteger();
    AveragingRound.Wire.allocate = n -> {
      if (allocations.incrementAndGet() == 2) throw new OutOfMemoryError("Java heap space");
      return new byte[n];
    };
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      IOException e = assertThrows(IOException.class, in::readObject);
      assertTrue(e.getMessage().startsWith("this JVM's heap (") && e.getMessage().contains(
          "cannot take in a state of 0.0 MB sent by Spark") && e.getMessage().contains("spark.driver.memory"),
          e.getMessage());
      assertTrue(e.getCause() instanceof OutOfMemoryError, String.valueOf(e.getCause()));
    } finally {
      AveragingRound.Wire.allocate = byte[]::new;
    }
    // With the heap back, the same bytes read as they were written.
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      Object[] back = (Object[]) in.readObject();
      assertEquals("after", back[1]);
      byte[][] chunks = ((AveragingRound.Report) back[0]).state().chunks();
      assertEquals(AveragingRound.toBytes(s, 20).length, chunks.length);
    }
  }

  @Test
  void viewsAreCopiedIntoChunksAtOnceAndFreedThen() throws Exception {
    INDArray[] s = state();
    INDArray row = Nd4j.create(DataType.FLOAT, 2, 53).getRow(1).assign(s[0]);
    AtomicInteger released = new AtomicInteger();
    AveragingRound.Wire sent = AveragingRound.Wire.sending(new INDArray[] {row}, 10, released::incrementAndGet);
    assertEquals(false, sent.releasesWhenWritten());
    row.assign(0);
    byte[][] arrived = deserialise(serialise(sent)).chunks();
    assertArrayEquals(AveragingRound.toBytes(new INDArray[] {s[0]}, 10)[5], arrived[5]);
    assertEquals(0, released.get(), "the caller frees arrays copied at once");
    assertThrows(IllegalStateException.class, () -> AveragingRound.Wire.sending(s, 20, null).chunks());
  }

  @Test
  void viewsGoThroughNd4jsOwnCopies() {
    INDArray[] s = state();
    INDArray big = Nd4j.create(DataType.FLOAT, 2, 53);
    INDArray row = big.getRow(1);
    assertTrue(row.isView());
    AveragingRound.readInto(AveragingRound.toBytes(new INDArray[] {s[0]}, 10), new INDArray[] {row});
    assertArrayEquals(bits(s[0]), bits(row));
    assertEquals(0.0, big.getRow(0).norm1Number().doubleValue());
    assertArrayEquals(AveragingRound.toBytes(new INDArray[] {s[0]}, 10)[5],
        AveragingRound.toBytes(new INDArray[] {row}, 10)[5]);
  }

  @Test
  void chunksThatDoNotFitAreRefusedBeforeAnythingIsWritten() {
    INDArray[] s = state();
    byte[][] chunks = AveragingRound.toBytes(s, 20);
    INDArray[] into = zerosLike(s);
    byte[][] missing = Arrays.copyOf(chunks, chunks.length - 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AveragingRound.readInto(missing, into));
    assertEquals("a worker's state does not match the graph's: chunk 8 of 8", e.getMessage());
    byte[][] extra = Arrays.copyOf(chunks, chunks.length + 1);
    extra[chunks.length] = new byte[4];
    e = assertThrows(IllegalStateException.class, () -> AveragingRound.readInto(extra, into));
    assertEquals("a worker's state has 10 chunks", e.getMessage());
    byte[][] torn = chunks.clone();
    torn[4] = Arrays.copyOf(torn[4], 79);
    e = assertThrows(IllegalStateException.class, () -> AveragingRound.readInto(torn, into));
    assertEquals("a worker's state does not match the graph's: chunk 4 of 9", e.getMessage());
    for (INDArray a : into) assertEquals(0.0, a.norm1Number().doubleValue());
  }

  @Test
  void aStateAClusterCannotReturnIsRefusedBeforeAnyRoundWithWhatToChange() {
    long bertLarge = 335_141_888L * 3 * Float.BYTES; // parameters, BertAdam's two moments
    IllegalArgumentException tooBig =
        assertThrows(IllegalArgumentException.class, () -> AveragingRound.checkReturnable(bertLarge, 2, 0));
    assertTrue(tooBig.getMessage().contains("4021.7 MB") && tooBig.getMessage().contains("local[N]"),
        tooBig.getMessage());
    // The largest state one result holds passes, one byte more does not.
    AveragingRound.checkReturnable(AveragingRound.MAX_TASK_RESULT_BYTES, 1, 0);
    assertThrows(IllegalArgumentException.class,
        () -> AveragingRound.checkReturnable(AveragingRound.MAX_TASK_RESULT_BYTES + 1, 1, 0));

    long bertBase = 1_313_805_336L;
    IllegalArgumentException overLimit = assertThrows(IllegalArgumentException.class,
        () -> AveragingRound.checkReturnable(bertBase, 2, 1L << 30));
    assertEquals("each round returns 2 x 1313.8 MB of parameters and optimiser state to the driver, more than "
        + "spark.driver.maxResultSize (1073.7 MB): set it to at least 2506m, or 0 for no limit (as "
        + "deploy/spark/submit.sh does)", overLimit.getMessage());
    AveragingRound.checkReturnable(bertBase, 2, 0);
    AveragingRound.checkReturnable(bertBase, 2, 2506L << 20);
    AveragingRound.checkReturnable(bertBase, 2, 2 * bertBase);
    assertThrows(IllegalArgumentException.class, () -> AveragingRound.checkReturnable(bertBase, 2, 2 * bertBase - 1));
  }
}
