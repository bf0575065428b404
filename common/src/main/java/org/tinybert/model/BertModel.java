package org.tinybert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BERT (google-research/bert semantics, Hugging Face parameter names) on ND4J in fp32, forward and backward.
 *
 * <p>Shape legend: B batch, L sequence (F from / T to), H hidden, N heads, D head size (H = N*D), I intermediate,
 * C labels, V vocabulary, R = B*L rows of the 2-D activations. Activations are kept 2-D ([R, H]) so every projection is
 * one GEMM; attention reshapes to [B, N, L, D].
 *
 * <p>The forward pass returns everything TinyBERT distils (every hidden state, every layer's masked pre-softmax
 * attention scores) and, when asked, keeps what {@link #backward} needs. Dropout is applied only when a training pass
 * asks for it ({@link Dropout}); the reference fixtures run without it and the teacher never uses it.
 *
 * <p>Parameters are read from named views (Hugging Face names, see {@link org.tinybert.model.checkpoint.HfNames}); gradients are accumulated into views of the
 * same names, so both can live in flat vectors ({@link ParamLayout}).
 */
public final class BertModel {
  private final BertConfig config;
  private final Map<String, INDArray> p;
  private final BertNames names;
  private final boolean frozen;
  /** Per layer, query/key/value weights [3H, H] and biases [3H] stacked; built once, for frozen models only. */
  private volatile INDArray[][] fusedQkv;

  public BertModel(BertConfig config, Map<String, INDArray> params) {
    this(config, params, false);
  }

  private BertModel(BertConfig config, Map<String, INDArray> params, boolean frozen) {
    this.config = config;
    this.p = params;
    this.names = new BertNames(config);
    this.frozen = frozen;
  }

  /**
   * This model, for weights that will not change from now on (a teacher, a model loaded for evaluation): it keeps
   * each layer's query, key and value weights stacked into one [3H, H] matrix, so the three projections are one
   * GEMM (a fifth faster than three) without restacking them on every forward pass. Changing the weights afterwards
   * would leave the stacked copies stale.
   */
  public BertModel frozen() {
    return frozen ? this : new BertModel(config, p, true);
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
    INDArray qkv; // [R, 3H] query, key and value projections side by side
    INDArray probs; // [B, N, F, T]
    INDArray ctx; // [R, H]
    Kernels.LnCache ln1, ln2;
    INDArray attnOut; // [R, H] after LN1
    INDArray inter; // [R, I] before the activation
    INDArray act; // [R, I] after the activation
    INDArray dropped; // [B, N, F, T] probs after dropout, or null
    byte[] probsKeep, attnOutKeep, ffnOutKeep; // dropout masks, or null
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
    final Dropout dropout;
    Kernels.LnCache embLn;
    byte[] embKeep, pooledKeep; // dropout masks, or null
    INDArray pooledDropped; // [B, H] the HF classifier's input after dropout, or null
    float[] extMask; // [B * T]
    final List<LayerCache> layers = new ArrayList<>();
    INDArray pooledPre; // [B, H] the pooler's input rows (first token)

    Forward(BertBatch batch, boolean keep, Dropout dropout) {
      this.batch = batch;
      this.keep = keep;
      this.dropout = dropout;
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

    /**
     * Hands this pass's activations (outputs included) back to this thread's {@link ArrayPool} for the next pass to
     * reuse; none of them, nor any view of them, may be used afterwards. Without it they are freed by the garbage
     * collector as usual.
     */
    public void release() {
      ArrayPool pool = ArrayPool.local();
      hiddenStates.forEach(pool::give);
      attentionScores.forEach(pool::give);
      fitHiddenStates.forEach(pool::give);
      if (embLn != null) pool.give(embLn.xhat());
      for (LayerCache c : layers) {
        pool.give(c.qkv);
        pool.give(c.probs);
        pool.give(c.ctx);
        pool.give(c.ln1.xhat());
        pool.give(c.ln2.xhat());
        pool.give(c.attnOut);
        pool.give(c.inter);
        pool.give(c.act);
        pool.give(c.dropped);
      }
      hiddenStates.clear();
      attentionScores.clear();
      fitHiddenStates.clear();
      layers.clear();
      embLn = null;
    }
  }

  /**
   * Runs BERT on a batch. {@code keepForBackward} keeps the activations {@link #backward} needs; {@code withFit} also
   * computes the fit_dense projections of every representation.
   */
  public Forward forward(BertBatch batch, boolean keepForBackward, boolean withFit) {
    return forward(batch, keepForBackward, withFit, Dropout.NONE);
  }

  /** {@link #forward(BertBatch, boolean, boolean)} in training mode: with {@code dropout}'s masks at BERT's positions. */
  public Forward forward(BertBatch batch, boolean keepForBackward, boolean withFit, Dropout dropout) {
    int b = batch.batchSize();
    int l = batch.seqLength();
    Forward f = new Forward(batch, keepForBackward, dropout);
    ArrayPool pool = ArrayPool.local();
    long r = (long) b * l;
    INDArray x = embed(f);

    for (int i = 0; i < config.numHiddenLayers(); i++) {
      LayerCache c = new LayerCache();
      x = layerForward(i, x, f, c, null);
      f.hiddenStates.add(x);
      if (keepForBackward) f.layers.add(c);
    }

    if (hasPooler()) {
      INDArray first = firstTokenRows(x, b, l); // [B, H]
      f.pooledPre = first;
      f.pooledOutput = Transforms.tanh(Kernels.linear(first, w(BertNames.POOLER_W), w(BertNames.POOLER_B)), false);
      if (hasClassifier()) {
        // Hugging Face's head: classifier(dropout(pooled)); TinyBERT's (relu) head has no dropout.
        INDArray in = f.pooledOutput;
        if (dropout.hidden() > 0) {
          in = f.pooledDropped = f.pooledOutput.dup();
          f.pooledKeep = Kernels.dropout(in, null, dropout.hidden(), dropout.seed(), SITE_POOLED);
        }
        f.logits = Kernels.linear(in, w(BertNames.CLASSIFIER_W), w(BertNames.CLASSIFIER_B));
        f.logitsRelu = Kernels.linear(Transforms.relu(f.pooledOutput, true), w(BertNames.CLASSIFIER_W),
            w(BertNames.CLASSIFIER_B));
      }
    }
    if (withFit) {
      int fits = fitCount();
      if (fits == 0) throw new IllegalStateException("model has no fit_dense projection");
      for (int i = 0; i < f.hiddenStates.size(); i++) {
        String fit = BertNames.fit(fits, i);
        INDArray fw = w(fit + ".weight");
        INDArray y = pool.take(r, fw.size(0));
        Kernels.linearInto(f.hiddenStates.get(i), fw, w(fit + ".bias"), null, y, 0);
        f.fitHiddenStates.add(y);
      }
    }
    return f;
  }

  /**
   * Checks the batch, then the embeddings (word + position + token type, LayerNorm, dropout) as f's first hidden
   * state, and f's additive attention mask.
   */
  private INDArray embed(Forward f) {
    BertBatch batch = f.batch;
    int l = batch.seqLength();
    if (l > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence length " + l + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings());
    }
    checkIds(batch);
    ArrayPool pool = ArrayPool.local();
    long r = (long) batch.batchSize() * l;
    int h = config.hiddenSize();
    INDArray x = pool.take(r, h);
    Kernels.embed(w(BertNames.WORD_EMB), w(BertNames.POS_EMB), w(BertNames.TYPE_EMB), batch.inputIds(),
        batch.segmentIds(), l, x);
    f.embLn = f.keep ? new Kernels.LnCache(pool.take(r, h), new float[(int) r]) : null;
    Kernels.layerNorm(x, w(BertNames.EMB_LN_W), w(BertNames.EMB_LN_B), config.layerNormEps(), x, f.embLn);
    if (f.dropout.hidden() > 0) {
      f.embKeep = Kernels.dropout(x, null, f.dropout.hidden(), f.dropout.seed(), SITE_EMBEDDING);
    }
    f.hiddenStates.add(x);

    // Additive mask: 0 where attended, -10000 where masked (the original BERT value, which TinyBERT's attention loss
    // relies on: entries <= -100 are recognised as masked and zeroed).
    f.extMask = new float[(int) r];
    for (int i = 0; i < f.extMask.length; i++) f.extMask[i] = (1.0f - batch.inputMask()[i]) * -10000.0f;
    return x;
  }

  /**
   * The last hidden state at the given rows of the [B*L, H] sequence output only: {@code forward(batch, false,
   * false).sequenceOutput().getRows(rows)}, for a masked LM that reads one position per input. Every layer but the
   * last runs on all positions (the last one's keys and values need them); the last layer runs attention, the dense
   * layers and the LayerNorms for the asked rows only, which saves most of a layer (about 7% of BERT-base's work at
   * 50 tokens). Inference only: no dropout, nothing kept, the intermediate activations go back to the pool. [M, H].
   */
  public INDArray sequenceOutputRows(BertBatch batch, int[] rows) {
    long r = (long) batch.batchSize() * batch.seqLength();
    for (int row : rows) {
      if (row < 0 || row >= r) throw new IllegalArgumentException("row " + row + " outside [0, " + r + ")");
    }
    Forward f = new Forward(batch, false, Dropout.NONE);
    ArrayPool pool = ArrayPool.local();
    INDArray x = embed(f);
    int layers = config.numHiddenLayers();
    for (int i = 0; i < layers; i++) {
      INDArray y = layerForward(i, x, f, new LayerCache(), i == layers - 1 ? rows : null);
      pool.give(x);
      x = y;
    }
    f.attentionScores.forEach(pool::give);
    return x; // BertConfig guarantees at least one layer, so this is the last layer's [M, H]
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

  /**
   * One encoder layer on x [R, H]. With {@code outRows} (inference only, f keeping nothing), everything after the
   * query/key/value projection is computed for those rows only and the result is [M, H]; the attention scores are
   * then not recorded.
   */
  private INDArray layerForward(int layer, INDArray x, Forward f, LayerCache c, int[] outRows) {
    BertNames.Layer n = names.layer(layer);
    ArrayPool pool = ArrayPool.local();
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int heads = config.numAttentionHeads();
    int d = config.headSize();
    int h = config.hiddenSize();
    long r = (long) b * l;
    // One [R, 3H] array for q, k and v, so each head's blocks are read in place by the attention GEMMs, made by one
    // GEMM with the three weights stacked.
    INDArray qkv = pool.take(r, 3L * h);
    INDArray[] stacked = frozen ? fusedQkv()[layer] : stackQkv(n, pool);
    Kernels.linearInto(x, stacked[0], stacked[1], null, qkv, 0);
    if (!frozen) {
      pool.give(stacked[0]);
      pool.give(stacked[1]);
    }
    Dropout drop = f.dropout;
    INDArray probs = null;
    INDArray dropped = null;
    INDArray ctx;
    INDArray residual = x;
    if (outRows == null) {
      INDArray scores = pool.take(b, heads, l, l); // [B, N, F, T]
      probs = pool.take(b, heads, l, l);
      ctx = pool.take(r, h);
      if (drop.attention() > 0) {
        dropped = pool.take(b, heads, l, l);
        c.probsKeep = new byte[Math.toIntExact((long) b * heads * l * l)];
      }
      Kernels.attention(qkv, f.extMask, b, l, heads, d, scores, probs, dropped, drop.attention(), drop.seed(),
          siteOf(layer, 0), c.probsKeep, ctx);
      f.attentionScores.add(scores);
    } else {
      // From here on, only the asked rows (inference: f keeps nothing and draws no dropout).
      r = outRows.length;
      ctx = pool.take(r, h);
      Kernels.attentionRows(qkv, f.extMask, l, heads, d, outRows, ctx);
      residual = x.getRows(outRows);
    }
    // a = LN1(dropout(ctx Wo^T + bo) + x): without dropout, bias and residual are added by the LayerNorm kernel, in
    // place; with it, the bias goes in with the dropout.
    INDArray a = pool.take(r, h);
    Kernels.linearInto(ctx, w(n.attnOutW), null, null, a, 0);
    Kernels.LnCache ln1 = f.keep ? new Kernels.LnCache(pool.take(r, h), new float[(int) r]) : null;
    INDArray attnOutB = w(n.attnOutB);
    if (drop.hidden() > 0) {
      c.attnOutKeep = Kernels.dropout(a, attnOutB, drop.hidden(), drop.seed(), siteOf(layer, 1));
      attnOutB = null;
    }
    Kernels.layerNorm(a, attnOutB, residual, w(n.attnLnW), w(n.attnLnB), config.layerNormEps(), a, ln1);
    INDArray inter = pool.take(r, config.intermediateSize()); // [R, I]
    Kernels.linearInto(a, w(n.interW), null, null, inter, 0);
    // act = activation(inter + bi). Backward needs the pre-activation; inference applies the activation in place.
    INDArray act = f.keep ? pool.take(r, config.intermediateSize()) : inter;
    activation(inter, w(n.interB), act);
    // y = LN2(dropout(act W2^T + b2) + a), in place.
    INDArray y = pool.take(r, h);
    Kernels.linearInto(act, w(n.outW), null, null, y, 0);
    Kernels.LnCache ln2 = f.keep ? new Kernels.LnCache(pool.take(r, h), new float[(int) r]) : null;
    INDArray outB = w(n.outB);
    if (drop.hidden() > 0) {
      c.ffnOutKeep = Kernels.dropout(y, outB, drop.hidden(), drop.seed(), siteOf(layer, 2));
      outB = null;
    }
    Kernels.layerNorm(y, outB, a, w(n.outLnW), w(n.outLnB), config.layerNormEps(), y, ln2);
    if (f.keep) {
      c.x = x;
      c.qkv = qkv;
      c.probs = probs;
      c.ctx = ctx;
      c.ln1 = ln1;
      c.ln2 = ln2;
      c.attnOut = a;
      c.inter = inter;
      c.act = act;
      c.dropped = dropped;
    } else {
      pool.give(qkv);
      pool.give(probs);
      pool.give(dropped);
      pool.give(ctx);
      pool.give(a);
      pool.give(inter);
    }
    return y;
  }

  // Dropout sites: each position draws its own masks (Dropout#draw is keyed by site).
  private static final long SITE_EMBEDDING = 0;
  private static final long SITE_POOLED = -1;

  /** Site of a layer's dropout: 0 attention probabilities, 1 attention output, 2 feed-forward output. */
  private static long siteOf(int layer, int position) {
    return 1 + 3L * layer + position;
  }

  /** {[3H, H] weights, [3H] biases}: query, key and value stacked, in pooled arrays. */
  private INDArray[] stackQkv(BertNames.Layer n, ArrayPool pool) {
    long h = config.hiddenSize();
    INDArray w = pool.take(3 * h, h);
    INDArray b = pool.take(3 * h);
    String[][] parts = {{n.queryW, n.queryB}, {n.keyW, n.keyB}, {n.valueW, n.valueB}};
    for (int i = 0; i < 3; i++) {
      w.get(NDArrayIndex.interval(i * h, (i + 1) * h), NDArrayIndex.all()).assign(w(parts[i][0]));
      b.get(NDArrayIndex.interval(i * h, (i + 1) * h)).assign(w(parts[i][1]));
    }
    return new INDArray[] {w, b};
  }

  private INDArray[][] fusedQkv() {
    INDArray[][] f = fusedQkv;
    if (f == null) {
      synchronized (this) {
        f = fusedQkv;
        if (f == null) {
          f = new INDArray[config.numHiddenLayers()][];
          ArrayPool scratch = ArrayPool.local();
          for (int i = 0; i < f.length; i++) {
            INDArray[] s = stackQkv(names.layer(i), scratch);
            f[i] = new INDArray[] {s[0].dup(), s[1].dup()};
            scratch.give(s[0]);
            scratch.give(s[1]);
          }
          fusedQkv = f;
        }
      }
    }
    return f;
  }

  /** A new array: the configured activation of x. */
  private INDArray activation(INDArray x) {
    x = Kernels.contiguous(x);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    activation(x, null, y);
    return y;
  }

  /** y = activation(x + bias) (bias may be null); y may be x, else x is left holding x + bias. */
  private void activation(INDArray x, INDArray bias, INDArray y) {
    if ("relu".equals(config.hiddenAct())) Kernels.relu(x, bias, y); else Kernels.gelu(x, bias, y);
  }

  /** out = activation'(x) * dy; out may be dy. */
  private void activationBackward(INDArray dy, INDArray x, INDArray out) {
    if ("relu".equals(config.hiddenAct())) Kernels.reluBackward(dy, x, out); else Kernels.geluBackward(dy, x, out);
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

    /** Hands the gradient arrays back to this thread's {@link ArrayPool}; see {@link Forward#release()}. */
    public void release() {
      ArrayPool pool = ArrayPool.local();
      for (INDArray[] all : new INDArray[][] {hiddenStates, attentionScores, fitHiddenStates}) {
        for (int i = 0; i < all.length; i++) {
          pool.give(all[i]);
          all[i] = null;
        }
      }
    }
  }

  /**
   * Backpropagates {@code g} through the forward pass {@code f} (which must have kept its activations), adding each
   * parameter's gradient into {@code grads} (views by HF name; a name missing there is not accumulated).
   */
  public void backward(Forward f, OutputGrads g, Map<String, INDArray> grads) {
    if (!f.keep) throw new IllegalStateException("forward pass did not keep its activations for backward");
    ArrayPool pool = ArrayPool.local();
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    long r = (long) b * l;
    int h = config.hiddenSize();
    int layers = config.numHiddenLayers();
    INDArray[] dHidden = new INDArray[layers + 1];
    for (int i = 0; i <= layers; i++) {
      if (g.hiddenStates[i] != null) dHidden[i] = pool.take(r, h).assign(g.hiddenStates[i]);
    }

    // fit_dense back into the representations.
    int fits = fitCount();
    for (int i = 0; i <= layers; i++) {
      if (g.fitHiddenStates[i] == null) continue;
      String fit = BertNames.fit(fits, i);
      boolean had = dHidden[i] != null;
      if (!had) dHidden[i] = pool.take(r, h);
      Kernels.linearBackwardInto(Kernels.contiguous(g.fitHiddenStates[i]), 0, f.hiddenStates.get(i),
          w(fit + ".weight"), grads.get(fit + ".weight"), grads.get(fit + ".bias"), dHidden[i], had);
    }

    // Classifier and pooler back into the first token of the last layer.
    if (g.logits != null || g.logitsRelu != null) {
      INDArray dPooled = null;
      if (g.logits != null) {
        INDArray in = f.pooledDropped != null ? f.pooledDropped : f.pooledOutput;
        dPooled = Kernels.linearBackward(g.logits, in, w(BertNames.CLASSIFIER_W),
            grads.get(BertNames.CLASSIFIER_W), grads.get(BertNames.CLASSIFIER_B), true);
        if (f.pooledKeep != null) Kernels.dropoutBackward(dPooled, f.pooledKeep, f.dropout.hidden(), dPooled);
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
      if (dHidden[layers] == null) dHidden[layers] = pool.zeros(r, h);
      int[] idx = firstTokenIndex(b, l);
      for (int i = 0; i < b; i++) dHidden[layers].getRow(idx[i]).addi(dFirst.getRow(i));
    }

    INDArray dx = dHidden[layers];
    for (int i = layers - 1; i >= 0; i--) {
      INDArray dScores = g.attentionScores[i];
      if (dx == null && dScores == null) {
        dx = dHidden[i];
        continue;
      }
      INDArray below = layerBackward(i, f, f.layers.get(i), dx, dScores, grads);
      pool.give(dx);
      if (dHidden[i] != null) {
        below.addi(dHidden[i]);
        pool.give(dHidden[i]);
      }
      dx = below;
    }
    if (dx == null) return;

    // Embeddings (dropout and LayerNorm backward in place).
    if (f.embKeep != null) Kernels.dropoutBackward(dx, f.embKeep, f.dropout.hidden(), dx);
    Kernels.layerNormBackward(dx, f.embLn, w(BertNames.EMB_LN_W), grads.get(BertNames.EMB_LN_W),
        grads.get(BertNames.EMB_LN_B), dx, false);
    INDArray dWord = grads.get(BertNames.WORD_EMB);
    if (dWord != null) Kernels.scatterAddRows(dWord, f.batch.inputIds(), dx, config.padTokenId());
    INDArray dType = grads.get(BertNames.TYPE_EMB);
    if (dType != null) Kernels.scatterAddRows(dType, f.batch.segmentIds(), dx, -1);
    INDArray dPos = grads.get(BertNames.POS_EMB);
    if (dPos != null) Kernels.addPositionGrad(dPos, dx, l);
    pool.give(dx);
  }

  /** Gradient of one layer's input, from that of its output (dy, may be null) and of its scores (may be null). */
  private INDArray layerBackward(int layer, Forward f, LayerCache c, INDArray dy, INDArray dScoresDirect,
      Map<String, INDArray> grads) {
    BertNames.Layer n = names.layer(layer);
    ArrayPool pool = ArrayPool.local();
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int heads = config.numAttentionHeads();
    int d = config.headSize();
    int h = config.hiddenSize();
    long r = (long) b * l;
    INDArray dA = null; // gradient of the attention block's output a
    if (dy != null) {
      // y = LN2(o), o = act W2^T + b2 + a
      INDArray dz2 = pool.take(r, h);
      Kernels.layerNormBackward(dy, c.ln2, w(n.outLnW), grads.get(n.outLnW), grads.get(n.outLnB), dz2, false);
      INDArray dAct = pool.take(r, config.intermediateSize());
      // With dropout, the dense output's gradient is dz2 through the mask; the residual's stays dz2.
      INDArray dOut = dz2;
      if (c.ffnOutKeep != null) {
        dOut = pool.take(r, h);
        Kernels.dropoutBackward(dz2, c.ffnOutKeep, f.dropout.hidden(), dOut);
      }
      Kernels.linearBackwardInto(dOut, 0, c.act, w(n.outW), grads.get(n.outW), grads.get(n.outB), dAct, false);
      if (dOut != dz2) pool.give(dOut);
      activationBackward(dAct, c.inter, dAct);
      // a feeds both the FFN and the residual: dA = dz2 + dInter W1, accumulated onto dz2.
      Kernels.linearBackwardInto(dAct, 0, c.attnOut, w(n.interW), grads.get(n.interW), grads.get(n.interB), dz2,
          true);
      pool.give(dAct);
      dA = dz2;
    }
    INDArray dqkv = pool.take(r, 3L * h);
    INDArray dx;
    if (dA != null) {
      // a = LN1(ao), ao = ctx Wo^T + bo + x; dA becomes d(ao) in place, which is also x's residual gradient.
      Kernels.layerNormBackward(dA, c.ln1, w(n.attnLnW), grads.get(n.attnLnW), grads.get(n.attnLnB), dA, false);
      INDArray dCtx = pool.take(r, h);
      INDArray dOut = dA;
      if (c.attnOutKeep != null) {
        dOut = pool.take(r, h);
        Kernels.dropoutBackward(dA, c.attnOutKeep, f.dropout.hidden(), dOut);
      }
      Kernels.linearBackwardInto(dOut, 0, c.ctx, w(n.attnOutW), grads.get(n.attnOutW), grads.get(n.attnOutB), dCtx,
          false);
      if (dOut != dA) pool.give(dOut);
      INDArray work = pool.take(b, heads, l, l);
      Kernels.attentionBackward(c.qkv, c.probs, c.dropped, c.probsKeep, f.dropout.attention(), dCtx,
          dScoresDirect == null ? null : Kernels.contiguous(dScoresDirect), b, l, heads, d, work, dqkv);
      pool.give(work);
      pool.give(dCtx);
      dx = dA;
    } else {
      Kernels.attentionBackward(c.qkv, c.probs, null, Kernels.contiguous(dScoresDirect), b, l, heads, d, null, dqkv);
      dx = pool.zeros(r, h);
    }
    // q, k, v = x W^T + b: their input gradients add onto the residual one.
    Kernels.linearBackwardInto(dqkv, 0, c.x, w(n.queryW), grads.get(n.queryW), grads.get(n.queryB), dx, true);
    Kernels.linearBackwardInto(dqkv, h, c.x, w(n.keyW), grads.get(n.keyW), grads.get(n.keyB), dx, true);
    Kernels.linearBackwardInto(dqkv, 2 * h, c.x, w(n.valueW), grads.get(n.valueW), grads.get(n.valueB), dx, true);
    pool.give(dqkv);
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
