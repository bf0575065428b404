package org.tinybert.model.cpu;

import static org.tinybert.model.cpu.KernelSupport.buf;
import static org.tinybert.model.cpu.KernelSupport.contiguous;
import static org.tinybert.model.cpu.KernelSupport.parallelRange;
import static org.tinybert.model.cpu.KernelSupport.sumPartials;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's embedding sum (word + position + token type) and the scatter-adds of its backward pass, over the arrays'
 * buffers.
 */
final class EmbeddingKernels {
  private EmbeddingKernels() {}

  /** out[r] = word[ids[r]] + pos[r mod L] + type[seg[r]]: BERT's embedding sum before its LayerNorm. */
  static void embed(INDArray word, INDArray pos, INDArray type, int[] ids, int[] seg, int l, INDArray out) {
    int h = (int) word.size(1);
    FloatBuffer wb = buf(contiguous(word));
    FloatBuffer pb = buf(contiguous(pos));
    FloatBuffer tb = buf(contiguous(type));
    FloatBuffer ob = buf(out);
    parallelRange(ids.length, 64, (from, to) -> {
      float[] a = new float[h];
      float[] c = new float[h];
      for (int r = from; r < to; r++) {
        wb.get(ids[r] * h, a, 0, h);
        pb.get((r % l) * h, c, 0, h);
        for (int j = 0; j < h; j++) a[j] += c[j];
        tb.get(seg[r] * h, c, 0, h);
        for (int j = 0; j < h; j++) a[j] += c[j];
        ob.put(r * h, a, 0, h);
      }
    });
  }

  /** dst[ids[r], :] += src[r, :] for every r with ids[r] != skipId (the [PAD] row gets no gradient). */
  static void scatterAddRows(INDArray dst, int[] ids, INDArray src, int skipId) {
    src = contiguous(src);
    int h = (int) src.size(1);
    FloatBuffer s = buf(src);
    FloatBuffer d = buf(dst);
    float[] a = new float[h];
    float[] c = new float[h];
    for (int r = 0; r < ids.length; r++) {
      int id = ids[r];
      if (id == skipId) continue;
      s.get(r * h, a, 0, h);
      d.get(id * h, c, 0, h);
      for (int j = 0; j < h; j++) c[j] += a[j];
      d.put(id * h, c, 0, h);
    }
  }

  /** dst[t, :] += sum over b of src[b * L + t, :] (the position embeddings' gradient). */
  static void addPositionGrad(INDArray dst, INDArray src, int l) {
    int h = (int) src.size(1);
    int rows = (int) src.size(0);
    FloatBuffer s = buf(src);
    float[] sum = sumPartials(rows, l * h, (from, to, acc) -> {
      float[] a = new float[h];
      for (int r = from; r < to; r++) {
        s.get(r * h, a, 0, h);
        int o = (r % l) * h;
        for (int j = 0; j < h; j++) acc[o + j] += a[j];
      }
    });
    FloatBuffer d = buf(dst);
    float[] c = new float[l * h];
    d.get(0, c, 0, l * h);
    for (int j = 0; j < c.length; j++) c[j] += sum[j];
    d.put(0, c, 0, l * h);
  }
}
