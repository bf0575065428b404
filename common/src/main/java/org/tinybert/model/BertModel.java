package org.tinybert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BERT (google-research/bert semantics, Hugging Face parameter names) on ND4J in fp32, forward and backward.
 *
 * <p>Shape legend: B batch, L sequence (F from / T to), H hidden, N heads, D head size (H = N*D), I intermediate,
 * C labels, V vocabulary, R = B*L rows of the 2-D activations. Activations are kept 2-D ([R, H]) so every projection is
 * one GEMM; attention reshapes to [B, N, L, D].
 *
 * <p>The forward pass returns everything TinyBERT distils (every hidden state, every layer's masked pre-softmax
 * attention scores) and, when asked, keeps what {@link #backward} needs. There is no dropout: the reference runs
 * without it and the teacher must never use it.
 *
 * <p>Parameters are read from named views (Hugging Face names, see {@link org.tinybert.model.checkpoint.HfNames}); gradients are accumulated into views of the
 * same names, so both can live in flat vectors ({@link ParamLayout}).
 */
public final class BertModel {
  private final BertConfig config;
  private final Map<String, INDArray> p;
  private final BertNames names;

  public BertModel(BertConfig config, Map<String, INDArray> params) {
    this.config = config;
    this.p = params;
    this.names = new BertNames(config);
  }

  public BertConfig config() {
    return config;
  }

  public Map<String, INDArray> params() {
    return p;
  }

  public boolean hasPooler() {
    return p.containsKey(BertNames.POOLER_W);
  }

  public boolean hasClassifier() {
    return p.containsKey(BertNames.CLASSIFIER_W);
  }

  public boolean hasMlmHead() {
    return p.containsKey(BertNames.MLM_DENSE_W);
  }

  /** Number of fit_dense projections: 0 (none), 1 (shared {@code fit_dense}) or S+1 ({@code fit_denses.i}). */
  public int fitCount() {
    if (p.containsKey(BertNames.FIT_W)) return 1;
    int n = 0;
    while (p.containsKey(org.tinybert.model.checkpoint.HfNames.weight(
        org.tinybert.model.checkpoint.HfNames.fitDense(n)))) {
      n++;
    }
    return n;
  }

  private INDArray w(String name) {
    INDArray a = p.get(name);
    if (a == null) throw new IllegalStateException("model has no parameter " + name);
    return a;
  }

  // ============================================================================================== forward

  /** Per-layer activations that backward needs. */
  static final class LayerCache {
    INDArray x; // [R, H] layer input
    INDArray qh, kh, vh; // [B, N, L, D]
    INDArray probs; // [B, N, F, T]
    INDArray ctx; // [R, H]
    Kernels.LnCache ln1, ln2;
    INDArray attnOut; // [R, H] after LN1
    INDArray inter; // [R, I] before the activation
    INDArray act; // [R, I] after the activation
  }

  /** Everything one forward pass produced. Public fields are outputs; the caches are for backward. */
  public static final class Forward {
    public final BertBatch batch;
    /** [R, H] per representation; 0 is the embedding output, i the output of layer i. */
    public final List<INDArray> hiddenStates = new ArrayList<>();
    /** [B, N, F, T] per layer: (q k^T)/sqrt(D) + (1 - mask) * -10000, before softmax. */
    public final List<INDArray> attentionScores = new ArrayList<>();
    /** [B, H] tanh(dense(h[:, 0])), or null without a pooler. */
    public INDArray pooledOutput;
    /** [B, C] classifier(pooled) (Hugging Face head), or null. */
    public INDArray logits;
    /** [B, C] classifier(relu(pooled)) (TinyBERT's head), or null. */
    public INDArray logitsRelu;
    /** [R, H_teacher] fit_dense(hiddenStates[i]), or empty. */
    public final List<INDArray> fitHiddenStates = new ArrayList<>();

    final boolean keep;
    Kernels.LnCache embLn;
    INDArray extMask; // [B, T]
    final List<LayerCache> layers = new ArrayList<>();
    INDArray pooledPre; // [B, H] the pooler's input rows (first token)

    Forward(BertBatch batch, boolean keep) {
      this.batch = batch;
      this.keep = keep;
    }

    public INDArray embeddingOutput() {
      return hiddenStates.get(0);
    }

    public INDArray sequenceOutput() {
      return hiddenStates.get(hiddenStates.size() - 1);
    }

    /** A [R, X] activation as [B, L, X]. */
    public INDArray as3d(INDArray a) {
      return a.reshape('c', batch.batchSize(), batch.seqLength(), a.size(1));
    }
  }

  /**
   * Runs BERT on a batch. {@code keepForBackward} keeps the activations {@link #backward} needs; {@code withFit} also
   * computes the fit_dense projections of every representation.
   */
  public Forward forward(BertBatch batch, boolean keepForBackward, boolean withFit) {
    int b = batch.batchSize();
    int l = batch.seqLength();
    if (l > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence length " + l + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings());
    }
    checkIds(batch);
    Forward f = new Forward(batch, keepForBackward);
    // Embeddings: word + position + token type, then LayerNorm.
    INDArray emb = Kernels.gatherRows(w(BertNames.WORD_EMB), batch.inputIds()); // [R, H]
    INDArray pos = w(BertNames.POS_EMB).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, l),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'); // [L, H]
    emb.reshape('c', b, l, config.hiddenSize()).addi(pos.reshape('c', 1, l, config.hiddenSize())
        .broadcast(b, l, config.hiddenSize()));
    emb.addi(Kernels.gatherRows(w(BertNames.TYPE_EMB), batch.segmentIds()));
    Kernels.LnCache[] lc = new Kernels.LnCache[1];
    INDArray x = Kernels.layerNorm(emb, w(BertNames.EMB_LN_W), w(BertNames.EMB_LN_B), config.layerNormEps(),
        keepForBackward ? lc : null);
    f.embLn = lc[0];
    f.hiddenStates.add(x);

    // Additive mask: 0 where attended, -10000 where masked (the original BERT value, which TinyBERT's attention loss
    // relies on: entries <= -100 are recognised as masked and zeroed).
    float[] ext = new float[b * l];
    for (int i = 0; i < ext.length; i++) ext[i] = (1.0f - batch.inputMask()[i]) * -10000.0f;
    f.extMask = Nd4j.createFromArray(ext).reshape(b, l);

    for (int i = 0; i < config.numHiddenLayers(); i++) {
      LayerCache c = new LayerCache();
      x = layerForward(i, x, f, c);
      f.hiddenStates.add(x);
      if (keepForBackward) f.layers.add(c);
    }

    if (hasPooler()) {
      INDArray first = firstTokenRows(x, b, l); // [B, H]
      f.pooledPre = first;
      f.pooledOutput = Transforms.tanh(Kernels.linear(first, w(BertNames.POOLER_W), w(BertNames.POOLER_B)), false);
      if (hasClassifier()) {
        f.logits = Kernels.linear(f.pooledOutput, w(BertNames.CLASSIFIER_W), w(BertNames.CLASSIFIER_B));
        f.logitsRelu = Kernels.linear(Transforms.relu(f.pooledOutput, true), w(BertNames.CLASSIFIER_W),
            w(BertNames.CLASSIFIER_B));
      }
    }
    if (withFit) {
      int fits = fitCount();
      if (fits == 0) throw new IllegalStateException("model has no fit_dense projection");
      for (int i = 0; i < f.hiddenStates.size(); i++) {
        String fit = BertNames.fit(fits, i);
        f.fitHiddenStates.add(Kernels.linear(f.hiddenStates.get(i), w(fit + ".weight"), w(fit + ".bias")));
      }
    }
    return f;
  }

  private void checkIds(BertBatch batch) {
    for (int id : batch.inputIds()) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("input id " + id + " outside the vocabulary [0, " + config.vocabSize() + ")");
      }
    }
    for (int s : batch.segmentIds()) {
      if (s < 0 || s >= config.typeVocabSize()) {
        throw new IllegalArgumentException("segment id " + s + " outside [0, " + config.typeVocabSize() + ")");
      }
    }
  }

  private INDArray layerForward(int layer, INDArray x, Forward f, LayerCache c) {
    BertNames.Layer n = names.layer(layer);
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int heads = config.numAttentionHeads();
    int d = config.headSize();
    INDArray qh = toHeads(Kernels.linear(x, w(n.queryW), w(n.queryB)), b, l, heads, d); // [B, N, L, D]
    INDArray kh = toHeads(Kernels.linear(x, w(n.keyW), w(n.keyB)), b, l, heads, d);
    INDArray vh = toHeads(Kernels.linear(x, w(n.valueW), w(n.valueB)), b, l, heads, d);
    INDArray scores = Nd4j.matmul(qh, kh, null, false, true, false); // [B, N, F, T]
    scores.muli(1.0 / Math.sqrt(d));
    Kernels.addMask(scores, f.extMask);
    f.attentionScores.add(scores);
    INDArray probs = Kernels.softmaxLastAxis(scores); // [B, N, F, T]
    INDArray ctxh = Nd4j.matmul(probs, vh); // [B, N, F, D]
    INDArray ctx = fromHeads(ctxh, b, l); // [R, H]
    INDArray ao = Kernels.linear(ctx, w(n.attnOutW), w(n.attnOutB)).addi(x);
    Kernels.LnCache[] ln1 = new Kernels.LnCache[1];
    INDArray a = Kernels.layerNorm(ao, w(n.attnLnW), w(n.attnLnB), config.layerNormEps(), f.keep ? ln1 : null);
    INDArray inter = Kernels.linear(a, w(n.interW), w(n.interB)); // [R, I]
    INDArray act = activation(inter);
    INDArray o = Kernels.linear(act, w(n.outW), w(n.outB)).addi(a);
    Kernels.LnCache[] ln2 = new Kernels.LnCache[1];
    INDArray y = Kernels.layerNorm(o, w(n.outLnW), w(n.outLnB), config.layerNormEps(), f.keep ? ln2 : null);
    if (f.keep) {
      c.x = x;
      c.qh = qh;
      c.kh = kh;
      c.vh = vh;
      c.probs = probs;
      c.ctx = ctx;
      c.ln1 = ln1[0];
      c.ln2 = ln2[0];
      c.attnOut = a;
      c.inter = inter;
      c.act = act;
    }
    return y;
  }

  private INDArray activation(INDArray x) {
    return "relu".equals(config.hiddenAct()) ? Transforms.relu(x, true) : Kernels.gelu(x);
  }

  private INDArray activationBackward(INDArray dy, INDArray x) {
    if ("relu".equals(config.hiddenAct())) return dy.mul(x.gt(0).castTo(DataType.FLOAT));
    return Kernels.geluBackward(dy, x);
  }

  /** [R, H] -> [B, N, L, D] (copied contiguous). */
  static INDArray toHeads(INDArray x, int b, int l, int heads, int d) {
    return x.reshape('c', b, l, heads, d).permute(0, 2, 1, 3).dup('c');
  }

  /** [B, N, L, D] -> [R, H]. */
  static INDArray fromHeads(INDArray x, int b, int l) {
    long h = x.size(1) * x.size(3);
    return x.permute(0, 2, 1, 3).dup('c').reshape('c', (long) b * l, h);
  }

  private static int[] firstTokenIndex(int b, int l) {
    int[] idx = new int[b];
    for (int i = 0; i < b; i++) idx[i] = i * l;
    return idx;
  }

  private static INDArray firstTokenRows(INDArray x, int b, int l) {
    return x.getRows(firstTokenIndex(b, l));
  }

  /**
   * Masked-LM logits for the given positions ([b, t] pairs, in order): the {@code cls.predictions} head, decoder tied to
   * the word embeddings unless {@code cls.predictions.decoder.weight} exists. [M, V].
   */
  public INDArray mlmLogits(Forward f, int[][] positions) {
    if (!hasMlmHead()) throw new IllegalStateException("model has no masked-LM head (cls.predictions.*)");
    int l = f.batch.seqLength();
    int[] rows = new int[positions.length];
    for (int i = 0; i < positions.length; i++) rows[i] = positions[i][0] * l + positions[i][1];
    return mlmLogitsForRows(f.sequenceOutput().getRows(rows));
  }

  /** The masked-LM head on already selected rows of the sequence output ([M, H] -> [M, V]). */
  public INDArray mlmLogitsForRows(INDArray rows) {
    INDArray t = activation(Kernels.linear(rows, w(BertNames.MLM_DENSE_W), w(BertNames.MLM_DENSE_B)));
    t = Kernels.layerNorm(t, w(BertNames.MLM_LN_W), w(BertNames.MLM_LN_B), config.layerNormEps(), null);
    INDArray dec = p.getOrDefault(BertNames.MLM_DECODER_W, w(BertNames.WORD_EMB));
    return Kernels.linear(t, dec, w(BertNames.MLM_BIAS));
  }

  // ============================================================================================== backward

  /** Gradients of a loss with respect to the forward pass's outputs; null entries mean zero. */
  public static final class OutputGrads {
    /** [R, H] per representation (0 = embedding output). */
    public final INDArray[] hiddenStates;
    /** [B, N, F, T] per layer, with respect to the masked pre-softmax scores. */
    public final INDArray[] attentionScores;
    /** [R, H_teacher] per representation, with respect to fit_dense's outputs. */
    public final INDArray[] fitHiddenStates;
    /** [B, C] with respect to {@link Forward#logits}. */
    public INDArray logits;
    /** [B, C] with respect to {@link Forward#logitsRelu}. */
    public INDArray logitsRelu;

    public OutputGrads(int layers) {
      hiddenStates = new INDArray[layers + 1];
      attentionScores = new INDArray[layers];
      fitHiddenStates = new INDArray[layers + 1];
    }
  }

  /**
   * Backpropagates {@code g} through the forward pass {@code f} (which must have kept its activations), adding each
   * parameter's gradient into {@code grads} (views by HF name; a name missing there is not accumulated).
   */
  public void backward(Forward f, OutputGrads g, Map<String, INDArray> grads) {
    if (!f.keep) throw new IllegalStateException("forward pass did not keep its activations for backward");
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int layers = config.numHiddenLayers();
    INDArray[] dHidden = new INDArray[layers + 1];
    for (int i = 0; i <= layers; i++) dHidden[i] = g.hiddenStates[i] == null ? null : g.hiddenStates[i].dup();

    // fit_dense back into the representations.
    int fits = fitCount();
    for (int i = 0; i <= layers; i++) {
      if (g.fitHiddenStates[i] == null) continue;
      String fit = BertNames.fit(fits, i);
      INDArray dx = Kernels.linearBackward(g.fitHiddenStates[i], f.hiddenStates.get(i), w(fit + ".weight"),
          grads.get(fit + ".weight"), grads.get(fit + ".bias"), true);
      dHidden[i] = add(dHidden[i], dx);
    }

    // Classifier and pooler back into the first token of the last layer.
    if (g.logits != null || g.logitsRelu != null) {
      INDArray dPooled = null;
      if (g.logits != null) {
        dPooled = Kernels.linearBackward(g.logits, f.pooledOutput, w(BertNames.CLASSIFIER_W),
            grads.get(BertNames.CLASSIFIER_W), grads.get(BertNames.CLASSIFIER_B), true);
      }
      if (g.logitsRelu != null) {
        INDArray relu = Transforms.relu(f.pooledOutput, true);
        INDArray d = Kernels.linearBackward(g.logitsRelu, relu, w(BertNames.CLASSIFIER_W),
            grads.get(BertNames.CLASSIFIER_W), grads.get(BertNames.CLASSIFIER_B), true);
        d.muli(f.pooledOutput.gt(0).castTo(DataType.FLOAT));
        dPooled = add(dPooled, d);
      }
      // tanh' = 1 - tanh^2
      INDArray dPre = dPooled.mul(f.pooledOutput.mul(f.pooledOutput).rsubi(1.0));
      INDArray dFirst = Kernels.linearBackward(dPre, f.pooledPre, w(BertNames.POOLER_W), grads.get(BertNames.POOLER_W),
          grads.get(BertNames.POOLER_B), true);
      INDArray dLast = Nd4j.zeros(DataType.FLOAT, (long) b * l, config.hiddenSize());
      int[] idx = firstTokenIndex(b, l);
      for (int i = 0; i < b; i++) dLast.putRow(idx[i], dFirst.getRow(i));
      dHidden[layers] = add(dHidden[layers], dLast);
    }

    INDArray dx = dHidden[layers];
    for (int i = layers - 1; i >= 0; i--) {
      INDArray dScores = g.attentionScores[i];
      if (dx == null && dScores == null) {
        dx = dHidden[i];
        continue;
      }
      dx = layerBackward(i, f, f.layers.get(i), dx, dScores, grads);
      dx = add(dx, dHidden[i]);
    }
    if (dx == null) return;

    // Embeddings.
    INDArray dEmb = Kernels.layerNormBackward(dx, f.embLn, w(BertNames.EMB_LN_W), grads.get(BertNames.EMB_LN_W),
        grads.get(BertNames.EMB_LN_B));
    INDArray dWord = grads.get(BertNames.WORD_EMB);
    if (dWord != null) Kernels.scatterAddRows(dWord, f.batch.inputIds(), dEmb, config.padTokenId());
    INDArray dType = grads.get(BertNames.TYPE_EMB);
    if (dType != null) Kernels.scatterAddRows(dType, f.batch.segmentIds(), dEmb, -1);
    INDArray dPos = grads.get(BertNames.POS_EMB);
    if (dPos != null) {
      INDArray sum = dEmb.reshape('c', b, l, config.hiddenSize()).sum(0); // [L, H]
      dPos.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, l), org.nd4j.linalg.indexing.NDArrayIndex.all())
          .addi(sum);
    }
  }

  private INDArray layerBackward(int layer, Forward f, LayerCache c, INDArray dy, INDArray dScoresDirect,
      Map<String, INDArray> grads) {
    BertNames.Layer n = names.layer(layer);
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int d = config.headSize();
    INDArray dAttnOut;
    if (dy != null) {
      INDArray dz2 = Kernels.layerNormBackward(dy, c.ln2, w(n.outLnW), grads.get(n.outLnW), grads.get(n.outLnB));
      INDArray dAct = Kernels.linearBackward(dz2, c.act, w(n.outW), grads.get(n.outW), grads.get(n.outB), true);
      INDArray dInter = activationBackward(dAct, c.inter);
      dAttnOut = Kernels.linearBackward(dInter, c.attnOut, w(n.interW), grads.get(n.interW), grads.get(n.interB), true)
          .addi(dz2);
    } else {
      dAttnOut = null;
    }
    INDArray dxResidual = null;
    INDArray dScores = null;
    if (dAttnOut != null) {
      INDArray dz1 = Kernels.layerNormBackward(dAttnOut, c.ln1, w(n.attnLnW), grads.get(n.attnLnW), grads.get(n.attnLnB));
      dxResidual = dz1;
      INDArray dCtx = Kernels.linearBackward(dz1, c.ctx, w(n.attnOutW), grads.get(n.attnOutW), grads.get(n.attnOutB), true);
      INDArray dCtxh = toHeads(dCtx, b, l, config.numAttentionHeads(), d); // [B, N, F, D]
      INDArray dProbs = Nd4j.matmul(dCtxh, c.vh, null, false, true, false); // [B, N, F, T]
      INDArray dVh = Nd4j.matmul(c.probs, dCtxh, null, true, false, false); // [B, N, T, D]
      dScores = Kernels.softmaxBackward(dProbs, c.probs);
      INDArray dv = fromHeads(dVh, b, l);
      dxResidual.addi(Kernels.linearBackward(dv, c.x, w(n.valueW), grads.get(n.valueW), grads.get(n.valueB), true));
    }
    dScores = add(dScores, dScoresDirect);
    // scores = q k^T / sqrt(D) (+ mask, a constant)
    double scale = 1.0 / Math.sqrt(d);
    INDArray dQh = Nd4j.matmul(dScores, c.kh).muli(scale); // [B, N, F, D]
    INDArray dKh = Nd4j.matmul(dScores, c.qh, null, true, false, false).muli(scale); // [B, N, T, D]
    INDArray dx = Kernels.linearBackward(fromHeads(dQh, b, l), c.x, w(n.queryW), grads.get(n.queryW), grads.get(n.queryB),
        true);
    dx.addi(Kernels.linearBackward(fromHeads(dKh, b, l), c.x, w(n.keyW), grads.get(n.keyW), grads.get(n.keyB), true));
    if (dxResidual != null) dx.addi(dxResidual);
    return dx;
  }

  private static INDArray add(INDArray a, INDArray b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.addi(b);
  }

  @Override
  public String toString() {
    return "BertModel" + Arrays.asList(config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads());
  }
}
