package org.tinybert.model.core;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float arrays handed back after a forward or backward pass and handed out again to the next one of the same shapes;
 * one pool per thread, so nothing here is shared.
 *
 * <p>Why: one BERT-base forward pass at batch 32 allocates about 3 GB of activations. ND4J frees native memory only
 * when the garbage collector finds the Java objects dead, and the Java heap stays small, so every step took fresh
 * memory from the operating system and paid for its page faults and zeroing (a third of the step's CPU time went to
 * the kernel). Training repeats the same shapes every step, so reusing the buffers removes that cost. ND4J's own
 * workspaces do this too, but invalidate whole scopes at once, and a forward pass's outputs here outlive their
 * scope in ways that do not nest (teacher outputs until the loss, student activations until backward).
 *
 * <p>Only arrays that the model code owns are given back ({@link org.tinybert.model.BertModel.Forward#release()}); an
 * array must not be used after that. Arrays are matched by element count; at most {@link #MAX_POOLED_BYTES} are kept
 * per thread.
 */
public final class ArrayPool {
  /** What one thread keeps at most: the working set of a TinyBERT step under a BERT-base teacher at batch 32 is ~2 GB. */
  public static final long MAX_POOLED_BYTES = 6L << 30;

  private static final ThreadLocal<ArrayPool> LOCAL = ThreadLocal.withInitial(ArrayPool::new);

  private final Map<Long, ArrayDeque<DataBuffer>> free = new HashMap<>();
  private final Set<DataBuffer> pooled = Collections.newSetFromMap(new IdentityHashMap<>());
  private long pooledBytes;
  private long allocations;

  private ArrayPool() {}

  /** This thread's pool. */
  public static ArrayPool local() {
    return LOCAL.get();
  }

  /** An uninitialised float 'c' array of this shape. */
  public INDArray take(long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    ArrayDeque<DataBuffer> q = free.get(n);
    DataBuffer d = q == null ? null : q.pollFirst();
    if (d == null) {
      allocations++;
      return Nd4j.createUninitialized(DataType.FLOAT, shape);
    }
    pooled.remove(d);
    pooledBytes -= n * Float.BYTES;
    return Nd4j.create(d, shape);
  }

  /** A zero-filled float 'c' array of this shape. */
  public INDArray zeros(long... shape) {
    INDArray a = take(shape);
    a.assign(0);
    return a;
  }

  /**
   * Gives {@code a}'s buffer back for reuse; {@code a} (and every view of it) must not be used afterwards. Arrays that
   * do not span a whole float buffer (views), arrays in an ND4J workspace and buffers already given back are
   * ignored.
   */
  public void give(INDArray a) {
    if (a == null || a.dataType() != DataType.FLOAT || a.offset() != 0 || a.isEmpty() || a.isAttached()) return;
    DataBuffer d = a.data();
    long n = d.length();
    if (n != a.length() || pooled.contains(d) || pooledBytes + n * Float.BYTES > MAX_POOLED_BYTES) return;
    free.computeIfAbsent(n, k -> new ArrayDeque<>()).addFirst(d);
    pooled.add(d);
    pooledBytes += n * Float.BYTES;
  }

  /**
   * Arrays {@link #take} had to allocate because none of the size was free: once a training run's shapes repeat, a
   * step that hands everything back allocates none.
   */
  public long allocations() {
    return allocations;
  }

  /** Bytes held for reuse. */
  public long pooledBytes() {
    return pooledBytes;
  }

  /** Drops every pooled buffer (the garbage collector then frees them). */
  public void clear() {
    free.clear();
    pooled.clear();
    pooledBytes = 0;
  }
}
