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
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.core.Dropout;
import org.tinybert.model.core.Engine;

/**
 * BERT (google-research/bert semantics, Hugging Face parameter names) in fp32, forward and backward, its arithmetic
 * done by an {@link Engine} (OpenBLAS and Java row kernels on the CPU, or ND4J operations, which a GPU runs).
 *
 * <p>Shape legend (google-research/bert's): B batch, F "from" positions (queries), T "to" positions (keys; F = T = L,
 * the sequence length, in self-attention), N heads, H head size, so the hidden width is N*H; I intermediate, C labels,
 * V vocabulary, M selected rows. Activations are kept 2-D, [B*F, N*H], so every projection is one product; attention
 * works on [B, N, F, T].
 *
 * <p>The forward pass returns everything TinyBERT distils (every hidden state, every layer's masked pre-softmax
 * attention scores) and, when asked, keeps what {@link #backward} needs. Dropout is applied only when a training pass
 * asks for it ({@link Dropout}); the reference fixtures run without it and the teacher never uses it.
 *
 * <p>Parameters are read from named views (Hugging Face names, see {@link org.tinybert.model.checkpoint.HfNames});
 * gradients are accumulated into views of the same names, so both can live in flat vectors ({@link ParamLayout}).
 * Activations come from this thread's {@link ArrayPool} and go back to it with {@link Forward#release()}.
 */
public final class BertModel {
  private final BertConfig config;
  private final Map<String, INDArray> p;
  private final BertNames names;
  private final Engine engine;
  /** Stacked query/key/value weights of a frozen model, shared by its copies on other engines; null otherwise. */
  private final FusedQkv fused;

  /**
   * A model on the {@code auto} engine of this JVM's ND4J backend ({@link EngineChoice#AUTO}); caches of weights
   * make models this way and hand out {@link #withEngine} copies.
   */
  public BertModel(BertConfig config, Map<String, INDArray> params) {
    this(config, params, EngineChoice.AUTO.resolveQuietly());
  }

  public BertModel(BertConfig config, Map<String, INDArray> params, Engine engine) {
    this(config, params, engine, null);
  }

  private BertModel(BertConfig config, Map<String, INDArray> params, Engine engine, FusedQkv fused) {
    this.config = config;
    this.p = params;
    this.names = new BertNames(config);
    this.engine = engine;
    this.fused = fused;
  }

  /**
   * This model, for weights that will not change from now on (a teacher, a model loaded for evaluation): it keeps
   * each layer's query, key and value weights stacked into one [3*N*H, N*H] matrix, so the three projections are one
   * product (a fifth faster than three) without restacking them on every forward pass. Changing the weights
   * afterwards would leave the stacked copies stale.
   */
  public BertModel frozen() {
    return fused != null ? this : new BertModel(config, p, engine, new FusedQkv());
  }

  /** The same weights (and stacked projections, if frozen) computed by {@code e}. */
  public BertModel withEngine(Engine e) {
    return e == engine ? this : new BertModel(config, p, e, fused);
  }

  public Engine engine() {
    return engine;
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

  /** Arrays from this thread's {@link ArrayPool}, and engine caches and masks, handed back together. */
  static final class Held {
    private final List<INDArray> arrays = new ArrayList<>();
    private final List<Runnable> releases = new ArrayList<>();

    INDArray take(long... shape) {
      INDArray a = ArrayPool.local().take(shape);
      arrays.add(a);
      return a;
    }

    Engine.NormCache norm(Engine e, long rows, long width) {
      Engine.NormCache c = e.normCache(rows, width);
      releases.add(c::release);
      return c;
    }

    Engine.Mask hold(Engine.Mask m) {
      if (m != null) releases.add(m::release);
      return m;
    }

    void release() {
      ArrayPool pool = ArrayPool.local();
      arrays.forEach(pool::give);
      releases.forEach(Runnable::run);
      arrays.clear();
      releases.clear();
    }
  }

  /** What backward needs of one dense -> dropout -> add -> LayerNorm block ({@link #addNorm}). */
  static final class AddNormCache {
    INDArray input; // the dense layer's input
    Engine.NormCache norm;
    Engine.Mask keep; // dropout mask, or null
  }

  /** Per-layer activations that backward needs. */
  static final class LayerCache {
    INDArray x; // [B*F, N*H] layer input
    INDArray qkv; // [B*F, 3*N*H] query, key and value projections side by side
    INDArray probs; // [B, N, F, T]
    INDArray dropped; // [B, N, F, T] probs after dropout, or null
    Engine.Mask probsKeep; // attention dropout mask, or null
    final AddNormCache attention = new AddNormCache(); // its input: the context [B*F, N*H]
    INDArray a; // [B*F, N*H] the attention block's output
    INDArray inter; // [B*F, I] before the activation
    final AddNormCache output = new AddNormCache(); // its input: the activation [B*F, I]
  }

  /** Everything one forward pass produced. Public fields are outputs; the caches are for backward. */
  public static final class Forward {
    public final BertBatch batch;
    /** [B*F, N*H] per representation; 0 is the embedding output, i the output of layer i. */
    public final List<INDArray> hiddenStates = new ArrayList<>();
    /** [B, N, F, T] per layer: (q k^T)/sqrt(H) + (1 - mask) * -10000, before softmax. */
    public final List<INDArray> attentionScores = new ArrayList<>();
    /** [B, N*H] tanh(dense(h[:, 0])), or null without a pooler. */
    public INDArray pooledOutput;
    /** [B, C] classifier(pooled) (Hugging Face head), or null. */
    public INDArray logits;
    /** [B, C] classifier(relu(pooled)) (TinyBERT's head), or null. */
    public INDArray logitsRelu;
    /** [B*F, N*H of the teacher] fit_dense(hiddenStates[i]), or empty. */
    public final List<INDArray> fitHiddenStates = new ArrayList<>();

    final boolean keep;
    final Dropout dropout;
    /** What this pass took from the pool: its outputs, and (when keeping) everything backward needs. */
    final Held held = new Held();
    Engine.AttentionMask mask;
    Engine.NormCache embNorm;
    Engine.Mask embKeep, pooledKeep; // dropout masks, or null
    INDArray pooledDropped; // [B, N*H] the HF classifier's input after dropout, or null
    final List<LayerCache> layers = new ArrayList<>();
    INDArray pooledPre; // [B, N*H] the pooler's input rows (first token)

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

    /** A [B*F, X] activation as [B, F, X]. */
    public INDArray as3d(INDArray a) {
      return a.reshape('c', batch.batchSize(), batch.seqLength(), a.size(1));
    }

    /**
     * Hands this pass's activations (outputs included) back to this thread's {@link ArrayPool} for the next pass to
     * reuse; none of them, nor any view of them, may be used afterwards. Without it they are freed by the garbage
     * collector as usual.
     */
    public void release() {
      held.release();
      if (mask != null) mask.release();
      mask = null;
      hiddenStates.clear();
      attentionScores.clear();
      fitHiddenStates.clear();
      layers.clear();
      embNorm = null;
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
    INDArray x = embed(f, f.held); // [B*F, N*H]
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      LayerCache c = new LayerCache();
      x = layerForward(i, x, f, f.held, keepForBackward ? f.held : new Held(), c, null); // [B*F, N*H]
      f.hiddenStates.add(x);
      if (keepForBackward) f.layers.add(c);
    }

    if (hasPooler()) {
      INDArray first = firstTokenRows(x, b, l); // [B, N*H]
      f.pooledPre = first;
      f.pooledOutput = Transforms.tanh(engine.linear(first, w(BertNames.POOLER_W), w(BertNames.POOLER_B)), false);
      if (hasClassifier()) {
        // Hugging Face's head: classifier(dropout(pooled)); TinyBERT's (relu) head has no dropout.
        INDArray in = f.pooledOutput;
        if (dropout.hidden() > 0) {
          in = f.pooledDropped = f.pooledOutput.dup();
          f.pooledKeep = f.held.hold(engine.dropout(in, null, dropout.hidden(), dropout.seed(), SITE_POOLED));
        }
        f.logits = engine.linear(in, w(BertNames.CLASSIFIER_W), w(BertNames.CLASSIFIER_B)); // [B, C]
        f.logitsRelu = engine.linear(Transforms.relu(f.pooledOutput, true), w(BertNames.CLASSIFIER_W),
            w(BertNames.CLASSIFIER_B)); // [B, C]
      }
    }
    if (withFit) {
      int fits = fitCount();
      if (fits == 0) throw new IllegalStateException("model has no fit_dense projection");
      for (int i = 0; i < f.hiddenStates.size(); i++) {
        String fit = BertNames.fit(fits, i);
        INDArray fw = w(fit + ".weight");
        INDArray y = f.held.take((long) b * l, fw.size(0)); // [B*F, N*H of the teacher]
        engine.linear(f.hiddenStates.get(i), fw, w(fit + ".bias"), y);
        f.fitHiddenStates.add(y);
      }
    }
    return f;
  }

  /**
   * Checks the batch, then the embeddings (word + position + token type, LayerNorm, dropout) as f's first hidden
   * state (taken from {@code out}), and f's additive attention mask.
   */
  private INDArray embed(Forward f, Held out) {
    BertBatch batch = f.batch;
    int l = batch.seqLength();
    if (l > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence length " + l + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings());
    }
    checkIds(batch);
    long rows = (long) batch.batchSize() * l;
    int hidden = config.hiddenSize();
    INDArray x = out.take(rows, hidden); // [B*F, N*H]
    engine.embed(w(BertNames.WORD_EMB), w(BertNames.POS_EMB), w(BertNames.TYPE_EMB), batch.inputIds(),
        batch.segmentIds(), l, x);
    f.embNorm = f.keep ? f.held.norm(engine, rows, hidden) : null;
    engine.layerNorm(x, null, null, w(BertNames.EMB_LN_W), w(BertNames.EMB_LN_B), config.layerNormEps(), x,
        f.embNorm);
    if (f.dropout.hidden() > 0) {
      f.embKeep = f.held.hold(engine.dropout(x, null, f.dropout.hidden(), f.dropout.seed(), SITE_EMBEDDING));
    }
    f.hiddenStates.add(x);
    f.mask = engine.attentionMask(batch);
    return x;
  }

  /**
   * The last hidden state at the given rows of the [B*F, N*H] sequence output only: {@code forward(batch, false,
   * false).sequenceOutput().getRows(rows)}, for a masked LM that reads one position per input. Every layer but the
   * last runs on all positions (the last one's keys and values need them); the last layer runs attention, the dense
   * layers and the LayerNorms for the asked rows only, which saves most of a layer (about 7% of BERT-base's work at
   * 50 tokens). Inference only: no dropout, nothing kept, the intermediate activations go back to the pool. [M, N*H].
   */
  public INDArray sequenceOutputRows(BertBatch batch, int[] rows) {
    long r = (long) batch.batchSize() * batch.seqLength();
    for (int row : rows) {
      if (row < 0 || row >= r) throw new IllegalArgumentException("row " + row + " outside [0, " + r + ")");
    }
    Forward f = new Forward(batch, false, Dropout.NONE);
    Held below = new Held(); // the input of the next layer
    INDArray x = embed(f, below);
    int layers = config.numHiddenLayers();
    for (int i = 0; i < layers; i++) {
      Held out = new Held();
      x = layerForward(i, x, f, out, new Held(), new LayerCache(), i == layers - 1 ? rows : null);
      below.release();
      below = out;
    }
    f.release();
    return x; // BertConfig guarantees at least one layer, so this is the last layer's [M, N*H]
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
   * One encoder layer on x [B*F, N*H], as google-research/bert's {@code transformer_model} writes it: self-attention,
   * then dense -> dropout -> add -> LayerNorm, the intermediate dense layer with its activation, and dense -> dropout
   * -> add -> LayerNorm again. The output and the scores are taken from {@code out}, everything else from
   * {@code tmp} (which is handed back here unless f keeps it for backward). With {@code outRows} (inference only),
   * everything after the query/key/value projection is computed for those rows only and the result is [M, N*H]; the
   * attention scores are then not recorded.
   */
  private INDArray layerForward(int layer, INDArray x, Forward f, Held out, Held tmp, LayerCache c, int[] outRows) {
    BertNames.Layer n = names.layer(layer);
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int heads = config.numAttentionHeads();
    int headSize = config.headSize();
    long hidden = config.hiddenSize();
    long rows = (long) b * l;
    Dropout drop = f.dropout;

    // Query, key and value side by side, so each head's blocks are read in place, from one product with the three
    // weights stacked.
    INDArray qkv = tmp.take(rows, 3 * hidden); // [B*F, 3*N*H]
    if (fused != null) {
      INDArray[] s = fused.layer(this, layer);
      engine.linear(x, s[0], s[1], qkv);
    } else {
      Held stacked = new Held();
      INDArray[] s = stackQkv(n, stacked);
      engine.linear(x, s[0], s[1], qkv);
      stacked.release();
    }

    INDArray ctx;
    INDArray residual = x;
    if (outRows == null) {
      INDArray scores = out.take(b, heads, l, l); // [B, N, F, T]
      INDArray probs = tmp.take(b, heads, l, l); // [B, N, F, T]
      ctx = tmp.take(rows, hidden); // [B*F, N*H]
      INDArray dropped = drop.attention() > 0 ? tmp.take(b, heads, l, l) : null; // [B, N, F, T]
      c.probsKeep = tmp.hold(engine.attention(qkv, f.mask, b, l, heads, headSize, scores, probs, dropped,
          drop.attention(), drop.seed(), siteOf(layer, 0), ctx));
      c.probs = probs;
      c.dropped = dropped;
      f.attentionScores.add(scores);
    } else {
      // From here on, only the asked rows (inference: f keeps nothing and draws no dropout).
      rows = outRows.length;
      ctx = tmp.take(rows, hidden); // [M, N*H]
      engine.attentionRows(qkv, f.mask, l, heads, headSize, outRows, ctx);
      residual = rows(x, outRows); // [M, N*H]
    }

    // a = LayerNorm(dropout(ctx Wo^T + bo) + x)
    INDArray a = addNorm(ctx, n.attnOutW, n.attnOutB, residual, n.attnLnW, n.attnLnB, siteOf(layer, 1), f,
        tmp.take(rows, hidden), tmp, c.attention); // [B*F, N*H]
    // act = activation(a Wi^T + bi); backward needs the pre-activation, inference applies it in place.
    INDArray inter = tmp.take(rows, config.intermediateSize()); // [B*F, I]
    engine.linear(a, w(n.interW), null, inter);
    INDArray act = f.keep ? tmp.take(rows, config.intermediateSize()) : inter; // [B*F, I]
    activation(inter, w(n.interB), act);
    // y = LayerNorm(dropout(act W2^T + b2) + a)
    INDArray y = addNorm(act, n.outW, n.outB, a, n.outLnW, n.outLnB, siteOf(layer, 2), f, out.take(rows, hidden), tmp,
        c.output); // [B*F, N*H]

    if (f.keep) {
      c.x = x;
      c.qkv = qkv;
      c.a = a;
      c.inter = inter;
    } else {
      tmp.release();
    }
    return y;
  }

  /**
   * BERT's dense -> dropout -> add -> LayerNorm: {@code result = LayerNorm(dropout(in W^T + b) + residual)}, in
   * place in {@code result}. Without dropout the bias and the residual go in with the LayerNorm's read of its rows;
   * with it, the bias goes in with the dropout. When f keeps its activations, {@code cache} gets what
   * {@link #addNormBackward} needs (held by {@code held}).
   */
  private INDArray addNorm(INDArray in, String weight, String bias, INDArray residual, String gamma, String beta,
      long site, Forward f, INDArray result, Held held, AddNormCache cache) {
    engine.linear(in, w(weight), null, result);
    Engine.NormCache norm = f.keep ? held.norm(engine, result.size(0), result.size(1)) : null;
    INDArray b = w(bias);
    Engine.Mask keep = null;
    if (f.dropout.hidden() > 0) {
      keep = held.hold(engine.dropout(result, b, f.dropout.hidden(), f.dropout.seed(), site));
      b = null;
    }
    engine.layerNorm(result, b, residual, w(gamma), w(beta), config.layerNormEps(), result, norm);
    cache.input = in;
    cache.norm = norm;
    cache.keep = keep;
    return result;
  }

  // Dropout sites: each position draws its own masks (Dropout#draw is keyed by site).
  private static final long SITE_EMBEDDING = 0;
  private static final long SITE_POOLED = -1;

  /** Site of a layer's dropout: 0 attention probabilities, 1 attention output, 2 feed-forward output. */
  private static long siteOf(int layer, int position) {
    return 1 + 3L * layer + position;
  }

  /** {[3*N*H, N*H] weights, [3*N*H] biases}: query, key and value stacked, in arrays {@code held} holds. */
  private INDArray[] stackQkv(BertNames.Layer n, Held held) {
    long hidden = config.hiddenSize();
    INDArray w = held.take(3 * hidden, hidden);
    INDArray b = held.take(3 * hidden);
    String[][] parts = {{n.queryW, n.queryB}, {n.keyW, n.keyB}, {n.valueW, n.valueB}};
    for (int i = 0; i < 3; i++) {
      w.get(NDArrayIndex.interval(i * hidden, (i + 1) * hidden), NDArrayIndex.all()).assign(w(parts[i][0]));
      b.get(NDArrayIndex.interval(i * hidden, (i + 1) * hidden)).assign(w(parts[i][1]));
    }
    return new INDArray[] {w, b};
  }

  /** A frozen model's stacked query/key/value weights and biases per layer, built on first use. */
  private static final class FusedQkv {
    private volatile INDArray[][] layers;

    INDArray[] layer(BertModel m, int layer) {
      INDArray[][] f = layers;
      if (f == null) {
        synchronized (this) {
          f = layers;
          if (f == null) {
            f = new INDArray[m.config.numHiddenLayers()][];
            for (int i = 0; i < f.length; i++) {
              Held scratch = new Held();
              INDArray[] s = m.stackQkv(m.names.layer(i), scratch);
              f[i] = new INDArray[] {s[0].dup(), s[1].dup()};
              scratch.release();
            }
            layers = f;
          }
        }
      }
      return f[layer];
    }
  }

  /** A new array: the configured activation of x. */
  private INDArray activation(INDArray x) {
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    activation(x, null, y);
    return y;
  }

  /** y = activation(x + bias) (bias may be null); y may be x, else x is left holding x + bias. */
  private void activation(INDArray x, INDArray bias, INDArray y) {
    if ("relu".equals(config.hiddenAct())) engine.relu(x, bias, y); else engine.gelu(x, bias, y);
  }

  /** out = activation'(x) * dy; out may be dy. */
  private void activationBackward(INDArray dy, INDArray x, INDArray out) {
    if ("relu".equals(config.hiddenAct())) engine.reluBackward(dy, x, out); else engine.geluBackward(dy, x, out);
  }

  private static int[] firstTokenIndex(int b, int l) {
    int[] idx = new int[b];
    for (int i = 0; i < b; i++) idx[i] = i * l;
    return idx;
  }

  private static INDArray firstTokenRows(INDArray x, int b, int l) {
    return rows(x, firstTokenIndex(b, l));
  }

  /**
   * Rows {@code index} of the 2-D {@code x} (a copy), in one native op: {@code INDArray.getRows} copies row by row,
   * an op each (a kernel launch each on a GPU).
   */
  private static INDArray rows(INDArray x, int[] index) {
    return Nd4j.pullRows(x, 1, index);
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
    return mlmLogitsForRows(rows(f.sequenceOutput(), rows));
  }

  /** The masked-LM head on already selected rows of the sequence output ([M, N*H] -> [M, V]). */
  public INDArray mlmLogitsForRows(INDArray rows) {
    INDArray t = activation(engine.linear(rows, w(BertNames.MLM_DENSE_W), w(BertNames.MLM_DENSE_B))); // [M, N*H]
    t = engine.layerNorm(t, w(BertNames.MLM_LN_W), w(BertNames.MLM_LN_B), config.layerNormEps()); // [M, N*H]
    INDArray dec = p.getOrDefault(BertNames.MLM_DECODER_W, w(BertNames.WORD_EMB)); // [V, N*H]
    return engine.linear(t, dec, w(BertNames.MLM_BIAS)); // [M, V]
  }

  // ============================================================================================== backward

  /** Gradients of a loss with respect to the forward pass's outputs; null entries mean zero. */
  public static final class OutputGrads {
    /** [B*F, N*H] per representation (0 = embedding output). */
    public final INDArray[] hiddenStates;
    /** [B, N, F, T] per layer, with respect to the masked pre-softmax scores. */
    public final INDArray[] attentionScores;
    /** [B*F, N*H of the teacher] per representation, with respect to fit_dense's outputs. */
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
    long rows = (long) b * l;
    int hidden = config.hiddenSize();
    int layers = config.numHiddenLayers();
    INDArray[] dHidden = new INDArray[layers + 1]; // [B*F, N*H] per representation
    for (int i = 0; i <= layers; i++) {
      if (g.hiddenStates[i] != null) dHidden[i] = pool.take(rows, hidden).assign(g.hiddenStates[i]);
    }

    // fit_dense back into the representations.
    int fits = fitCount();
    for (int i = 0; i <= layers; i++) {
      if (g.fitHiddenStates[i] == null) continue;
      String fit = BertNames.fit(fits, i);
      boolean had = dHidden[i] != null;
      if (!had) dHidden[i] = pool.take(rows, hidden);
      engine.linearBackward(g.fitHiddenStates[i], 0, f.hiddenStates.get(i), w(fit + ".weight"),
          grads.get(fit + ".weight"), grads.get(fit + ".bias"), dHidden[i], had);
    }

    // Classifier and pooler back into the first token of the last layer.
    if (g.logits != null || g.logitsRelu != null) {
      INDArray dPooled = null; // [B, N*H]
      if (g.logits != null) {
        INDArray in = f.pooledDropped != null ? f.pooledDropped : f.pooledOutput;
        dPooled = engine.linearBackward(g.logits, in, w(BertNames.CLASSIFIER_W),
            grads.get(BertNames.CLASSIFIER_W), grads.get(BertNames.CLASSIFIER_B), true);
        if (f.pooledKeep != null) engine.dropoutBackward(dPooled, f.pooledKeep, f.dropout.hidden(), dPooled);
      }
      if (g.logitsRelu != null) {
        INDArray relu = Transforms.relu(f.pooledOutput, true);
        INDArray d = engine.linearBackward(g.logitsRelu, relu, w(BertNames.CLASSIFIER_W),
            grads.get(BertNames.CLASSIFIER_W), grads.get(BertNames.CLASSIFIER_B), true);
        d.muli(f.pooledOutput.gt(0).castTo(DataType.FLOAT));
        dPooled = add(dPooled, d);
      }
      // tanh' = 1 - tanh^2
      INDArray dPre = dPooled.mul(f.pooledOutput.mul(f.pooledOutput).rsubi(1.0));
      INDArray dFirst = engine.linearBackward(dPre, f.pooledPre, w(BertNames.POOLER_W), grads.get(BertNames.POOLER_W),
          grads.get(BertNames.POOLER_B), true); // [B, N*H]
      if (dHidden[layers] == null) dHidden[layers] = pool.zeros(rows, hidden);
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
    if (f.embKeep != null) engine.dropoutBackward(dx, f.embKeep, f.dropout.hidden(), dx);
    engine.layerNormBackward(dx, f.embNorm, w(BertNames.EMB_LN_W), grads.get(BertNames.EMB_LN_W),
        grads.get(BertNames.EMB_LN_B), dx, false);
    INDArray dWord = grads.get(BertNames.WORD_EMB);
    if (dWord != null) engine.scatterAddRows(dWord, f.batch.inputIds(), dx, config.padTokenId());
    INDArray dType = grads.get(BertNames.TYPE_EMB);
    if (dType != null) engine.scatterAddRows(dType, f.batch.segmentIds(), dx, -1);
    INDArray dPos = grads.get(BertNames.POS_EMB);
    if (dPos != null) engine.addPositionGrad(dPos, dx, l);
    pool.give(dx);
  }

  /**
   * Gradient of one layer's input [B*F, N*H] (a pool array the caller hands back), from that of its output (dy, may
   * be null) and of its scores (may be null): {@link #layerForward} backwards. Scratch goes back to the pool as soon
   * as it is dead, so the next take of its size reuses the buffer that is still in cache.
   */
  private INDArray layerBackward(int layer, Forward f, LayerCache c, INDArray dy, INDArray dScoresDirect,
      Map<String, INDArray> grads) {
    BertNames.Layer n = names.layer(layer);
    ArrayPool pool = ArrayPool.local();
    int b = f.batch.batchSize();
    int l = f.batch.seqLength();
    int heads = config.numAttentionHeads();
    int headSize = config.headSize();
    long hidden = config.hiddenSize();
    long rows = (long) b * l;
    INDArray dA = null; // d(a), the attention block's output [B*F, N*H]
    if (dy != null) {
      // y = LayerNorm(dropout(act W2^T + b2) + a): the residual's share of dA, then the feed-forward's added onto it.
      dA = pool.take(rows, hidden);
      INDArray dAct = pool.take(rows, config.intermediateSize()); // [B*F, I]
      addNormBackward(dy, c.output, n.outW, n.outB, n.outLnW, n.outLnB, f, grads, dA, dAct);
      activationBackward(dAct, c.inter, dAct);
      engine.linearBackward(dAct, 0, c.a, w(n.interW), grads.get(n.interW), grads.get(n.interB), dA, true);
      pool.give(dAct);
    }
    INDArray dqkv = pool.take(rows, 3 * hidden); // [B*F, 3*N*H]
    INDArray dx;
    if (dA != null) {
      // a = LayerNorm(dropout(ctx Wo^T + bo) + x): dA becomes d(sum) in place, which is also x's residual gradient.
      INDArray dCtx = pool.take(rows, hidden); // [B*F, N*H]
      addNormBackward(dA, c.attention, n.attnOutW, n.attnOutB, n.attnLnW, n.attnLnB, f, grads, dA, dCtx);
      INDArray work = pool.take(b, heads, l, l); // [B, N, F, T]
      engine.attentionBackward(c.qkv, c.probs, c.dropped, c.probsKeep, f.dropout.attention(), dCtx, dScoresDirect, b,
          l, heads, headSize, work, dqkv);
      pool.give(work);
      pool.give(dCtx);
      dx = dA;
    } else {
      engine.attentionBackward(c.qkv, c.probs, null, null, 0, null, dScoresDirect, b, l, heads, headSize, null, dqkv);
      dx = pool.zeros(rows, hidden);
    }
    // q, k, v = x W^T + b: their input gradients add onto the residual one.
    engine.linearBackward(dqkv, 0, c.x, w(n.queryW), grads.get(n.queryW), grads.get(n.queryB), dx, true);
    engine.linearBackward(dqkv, (int) hidden, c.x, w(n.keyW), grads.get(n.keyW), grads.get(n.keyB), dx, true);
    engine.linearBackward(dqkv, (int) (2 * hidden), c.x, w(n.valueW), grads.get(n.valueW), grads.get(n.valueB), dx,
        true);
    pool.give(dqkv);
    return dx;
  }

  /**
   * Backward of {@link #addNorm}: from d(result) in {@code dy}, writes the gradient of the LayerNorm's input (the
   * residual's gradient) into {@code dSum} (which may be dy) and the dense layer's input gradient into {@code dIn},
   * accumulating the block's parameter gradients.
   */
  private void addNormBackward(INDArray dy, AddNormCache c, String weight, String bias, String gamma, String beta,
      Forward f, Map<String, INDArray> grads, INDArray dSum, INDArray dIn) {
    engine.layerNormBackward(dy, c.norm, w(gamma), grads.get(gamma), grads.get(beta), dSum, false);
    // With dropout, the dense output's gradient is dSum through the mask; the residual's stays dSum.
    INDArray dOut = dSum;
    if (c.keep != null) {
      dOut = ArrayPool.local().take(dSum.shape());
      engine.dropoutBackward(dSum, c.keep, f.dropout.hidden(), dOut);
    }
    engine.linearBackward(dOut, 0, c.input, w(weight), grads.get(weight), grads.get(bias), dIn, false);
    if (dOut != dSum) ArrayPool.local().give(dOut);
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
