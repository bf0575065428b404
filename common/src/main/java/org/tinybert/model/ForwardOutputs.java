package org.tinybert.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.core.BertBatch;

/**
 * One forward pass as named float32 tensors, named as the golden fixtures name them (without their
 * {@code teacher.}/{@code student.} prefix), so a written file compares name by name with the reference's.
 */
public final class ForwardOutputs {
  private ForwardOutputs() {}

  /**
   * {@code input_ids}, {@code segment_ids}, {@code input_mask} [B, L] (as floats); {@code embedding_output} and
   * {@code hidden_states.{0..N}} [B, L, H]; {@code attention_scores.{0..N-1}} [B, N, L, L] (masked, pre-softmax);
   * and what the model has: {@code pooled_output} [B, H], {@code logits} and {@code logits_relu} [B, C],
   * {@code fit_hidden_states.{0..S}} [B, L, H_teacher] (when {@code f} computed them), {@code mlm_logits} [M, V]
   * for the M positions of {@code maskTokenId} in row-major order (absent when there are none or no MLM head).
   *
   * @param maskTokenId the id of [MASK] in the model's vocabulary, or -1 for none
   */
  public static Map<String, INDArray> of(BertModel model, BertModel.Forward f, int maskTokenId) {
    BertBatch batch = f.batch;
    Map<String, INDArray> out = new LinkedHashMap<>();
    out.put("input_ids", ids(batch, batch.inputIds()));
    out.put("segment_ids", ids(batch, batch.segmentIds()));
    out.put("input_mask", ids(batch, batch.inputMask()));
    out.put("embedding_output", f.as3d(f.embeddingOutput()));
    for (int i = 0; i < f.hiddenStates.size(); i++) out.put("hidden_states." + i, f.as3d(f.hiddenStates.get(i)));
    for (int i = 0; i < f.attentionScores.size(); i++) out.put("attention_scores." + i, f.attentionScores.get(i));
    if (f.pooledOutput != null) out.put("pooled_output", f.pooledOutput);
    if (f.logits != null) out.put("logits", f.logits);
    if (f.logitsRelu != null) out.put("logits_relu", f.logitsRelu);
    if (model.hasMlmHead() && maskTokenId >= 0) {
      int[][] positions = BatchInput.positionsOf(batch, maskTokenId);
      if (positions.length > 0) out.put("mlm_logits", model.mlmLogits(f, positions));
    }
    for (int i = 0; i < f.fitHiddenStates.size(); i++) {
      out.put("fit_hidden_states." + i, f.as3d(f.fitHiddenStates.get(i)));
    }
    return out;
  }

  private static INDArray ids(BertBatch batch, int[] flat) {
    float[] v = new float[flat.length];
    for (int i = 0; i < v.length; i++) v[i] = flat[i];
    return Nd4j.createFromArray(v).reshape('c', batch.batchSize(), batch.seqLength());
  }
}
