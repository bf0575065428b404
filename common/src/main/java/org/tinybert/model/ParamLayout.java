package org.tinybert.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An ordered set of named parameters (Hugging Face names) laid out in one flat float vector.
 *
 * <p>Parameters and their gradients live in flat [1, n] arrays with one view per name: DL4J's parameter averaging and
 * updaters work on the flat vector, the model code on the named views, and no copies are made between them.
 */
public final class ParamLayout {
  private final LinkedHashMap<String, long[]> shapes;
  private final Map<String, Long> offsets = new LinkedHashMap<>();
  private final long size;

  public ParamLayout(Map<String, long[]> shapes) {
    this.shapes = new LinkedHashMap<>();
    long off = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      this.shapes.put(e.getKey(), e.getValue().clone());
      offsets.put(e.getKey(), off);
      off += numel(e.getValue());
    }
    this.size = off;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  public long size() {
    return size;
  }

  public List<String> names() {
    return List.copyOf(shapes.keySet());
  }

  public boolean has(String name) {
    return shapes.containsKey(name);
  }

  public long[] shape(String name) {
    long[] s = shapes.get(name);
    if (s == null) throw new IllegalArgumentException("no parameter named " + name);
    return s.clone();
  }

  public Map<String, long[]> shapes() {
    return Collections.unmodifiableMap(shapes);
  }

  /** A zero-filled flat [1, size] float vector. */
  public INDArray newFlat() {
    return Nd4j.zeros(DataType.FLOAT, 1, size);
  }

  /** Named views into {@code flat}; writing a view writes the flat vector. */
  public Map<String, INDArray> views(INDArray flat) {
    if (flat.length() != size) {
      throw new IllegalArgumentException("flat parameter vector has " + flat.length() + " entries, layout needs " + size);
    }
    INDArray row = flat.reshape(size);
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long off = offsets.get(e.getKey());
      long n = numel(e.getValue());
      out.put(e.getKey(), row.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n)).reshape('c', e.getValue()));
    }
    return out;
  }

  /** Copies named tensors into {@code flat}; every name must be present with this layout's shape. */
  public void copyInto(Map<String, INDArray> tensors, INDArray flat) {
    Map<String, INDArray> views = views(flat);
    for (Map.Entry<String, INDArray> e : views.entrySet()) {
      INDArray src = tensors.get(e.getKey());
      if (src == null) throw new IllegalArgumentException("missing weight " + e.getKey());
      if (!Arrays.equals(src.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("weight " + e.getKey() + " has shape " + Arrays.toString(src.shape())
            + ", expected " + Arrays.toString(e.getValue().shape()));
      }
      e.getValue().assign(src.castTo(DataType.FLOAT));
    }
  }
}
