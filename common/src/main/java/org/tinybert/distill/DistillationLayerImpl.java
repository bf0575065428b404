package org.tinybert.distill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Dropout;
import org.tinybert.model.core.Engine;
import org.tinybert.runtime.ExecutorRuntime;

/**
 * The layer behind {@link DistillationLayer}: runs the teacher (no gradient, no dropout) and the student on a
 * minibatch, computes the weighted TinyBERT loss and backpropagates it through the student by hand
 * ({@link BertModel#backward}).
 *
 * <p>DL4J asks an output layer for its activations, its score and its gradient in separate calls; the forward pass of
 * one minibatch is computed once and kept until the input changes, so the teacher runs exactly once per minibatch.
 * Every array here is allocated outside DL4J's workspaces because it outlives a single call.
 */
public class DistillationLayerImpl extends AbstractLayer<DistillationLayer> implements IOutputLayer {
  private static final AtomicLong TEACHER_FORWARDS = new AtomicLong();

  private INDArray paramsFlat;
  private INDArray gradsFlat;
  private Map<String, INDArray> params;
  private Map<String, INDArray> gradViews;
  private INDArray labels;
  private double score;
  private Gradient gradient;

  private transient DistillationLoss loss;
  private transient StepCache cache;
  private transient DistillationLoss.Result lastResult;
  /** Bound to its Spark task's GPU (GpuPlugin does it first; here a failure to do so fails the task). */
  private transient boolean bound;
  private transient Engine engine;
  /** The executor's teacher, looked up once: its directory is not checked for a newer copy on every minibatch. */
  private transient BertModel teacher;

  /** One minibatch's forward passes, loss and output gradients. */
  private static final class StepCache {
    INDArray input;
    INDArray labels;
    /** The student ran in training mode (with the layer's dropout). */
    boolean training;
    BertModel.Forward student;
    DistillationLoss.Result result;
    BertModel.OutputGrads grads;
    /** Backward has run and handed the activations back to the pool: only the score and logits are left. */
    boolean released;

    void release() {
      if (released) return;
      if (student != null) student.release();
      if (grads != null) grads.release();
      released = true;
    }
  }

  public DistillationLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  // ============================================================================================ the model

  /** The engine of this layer's {@code tinybert.engine} on this JVM's backend. */
  private Engine engine() {
    if (engine == null) engine = layerConf().getEngine().resolve();
    return engine;
  }

  /** Teacher forward passes run in this JVM so far (for tests and progress). */
  public static long teacherForwards() {
    return TEACHER_FORWARDS.get();
  }

  private BertModel student() {
    Map<String, INDArray> hf = new LinkedHashMap<>();
    params.forEach((k, v) -> hf.put(StudentSpec.hfName(k), v));
    return new BertModel(layerConf().studentSpec().config(), hf, engine());
  }

  private DistillationLoss loss() {
    if (loss == null) {
      DistillationLayer c = layerConf();
      int studentLayers = c.studentSpec().config().numHiddenLayers();
      LossWeights w = c.lossWeights();
      LayerMapping mapping = null;
      if (w.needsTeacher()) {
        int teacherLayers = teacher().config().numHiddenLayers();
        mapping = LayerMapping.of(c.getLayerMapping(), teacherLayers, studentLayers);
      } else {
        mapping = LayerMapping.bottom(studentLayers, studentLayers);
      }
      loss = new DistillationLoss(mapping, w, engine());
    }
    return loss;
  }

  private BertModel teacher() {
    String path = layerConf().getTeacherPath();
    if (path == null) throw new IllegalStateException("these losses need a teacher, and none is configured");
    if (teacher == null) teacher = ExecutorRuntime.model(path).frozen();
    return teacher.withEngine(engine());
  }

  /**
   * Runs teacher and student on the current input (once per input and mode) and the loss once labels are known. In
   * training mode the student runs with the layer's dropout.
   */
  private StepCache step(boolean withLoss, boolean training) {
    if (input == null) throw new IllegalStateException("no input set on the distillation layer");
    if (!bound) {
      engine = ExecutorRuntime.bind(layerConf().getEngine());
      bound = true;
    }
    if (cache == null || cache.input != input || cache.training != training
        || (cache.released && cache.labels != labels)) {
      // The activations of the previous minibatch go back to the pool for this one (its logits are not pooled).
      if (cache != null) cache.release();
      cache = new StepCache();
      cache.input = input;
      cache.training = training;
    }
    if (cache.student == null || (withLoss && cache.result == null) || (withLoss && cache.labels != labels)) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        BertBatch batch = BatchEncoding.batch(input);
        LossWeights w = layerConf().lossWeights();
        if (cache.student == null) {
          cache.student = student().forward(batch, true, w.embedding() > 0 || w.hidden() > 0, dropout(training));
        }
        if (withLoss) {
          BertModel.Forward teacherOut = null;
          if (w.needsTeacher()) {
            teacherOut = teacher().forward(batch, false, false);
            TEACHER_FORWARDS.incrementAndGet();
          }
          cache.grads = new BertModel.OutputGrads(layerConf().studentSpec().config().numHiddenLayers());
          cache.result = loss().compute(teacherOut, cache.student, BatchEncoding.labels(labels), cache.grads);
          if (teacherOut != null) teacherOut.release();
          cache.labels = labels;
          lastResult = cache.result;
        }
      }
    }
    return cache;
  }

  /**
   * The dropout of this pass: none outside training; in training the layer's, with masks keyed by the run's seed, the
   * step (DL4J's iteration and epoch counts, saved with the model, so a resumed run draws the same masks) and the
   * minibatch's content (so that data-parallel workers at the same step draw different masks).
   */
  private Dropout dropout(boolean training) {
    Dropout d = layerConf().dropout();
    if (!training || !d.any()) return Dropout.NONE;
    long step = ((long) getEpochCount() << 32) ^ getIterationCount();
    return d.withSeed(Dropout.stepSeed(d.seed(), step, java.util.Arrays.hashCode(input.ravel().toFloatVector())));
  }

  /** The last minibatch's loss values (for progress reporting). */
  public DistillationLoss.Result lastResult() {
    return lastResult;
  }

  // ============================================================================================ DL4J: forward/backward

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    StepCache c = step(false, training);
    INDArray out = c.student.logits != null ? c.student.logits
        : Nd4j.zeros(DataType.FLOAT, input.size(0), 1);
    return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
  }

  @Override
  public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
    setInput(input, workspaceMgr);
    return activate(training, workspaceMgr);
  }

  @Override
  public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
    score = step(true, training).result.total() + fullNetRegTerm;
    return score;
  }

  @Override
  public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
    double s = computeScore(fullNetRegTerm, false, workspaceMgr);
    return Nd4j.valueArrayOf(new long[] {input.size(0), 1}, s, DataType.FLOAT);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    // A second backward on the same minibatch needs the activations again: recompute them.
    if (cache != null && cache.released) cache = null;
    StepCache c = step(true, true);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      gradsFlat.assign(0);
      Map<String, INDArray> hfGrads = new LinkedHashMap<>();
      gradViews.forEach((k, v) -> hfGrads.put(StudentSpec.hfName(k), v));
      student().backward(c.student, c.grads, hfGrads);
      c.release();
    }
    Gradient g = new DefaultGradient(gradsFlat);
    gradViews.forEach((k, v) -> g.gradientForVariable().put(k, v));
    gradient = g;
    // The input is token ids: nothing upstream to backpropagate into.
    INDArray eps = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    return new Pair<>(g, eps);
  }

  @Override
  public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
    backpropGradient(null, workspaceMgr);
    computeScore(0, true, workspaceMgr);
  }

  @Override
  public Pair<Gradient, Double> gradientAndScore() {
    return new Pair<>(gradient, score);
  }

  @Override
  public Gradient gradient() {
    return gradient;
  }

  @Override
  public double score() {
    return score;
  }

  @Override
  public void clear() {
    super.clear();
    labels = null;
    cache = null;
  }

  // ============================================================================================ DL4J: parameters

  @Override
  public long numParams() {
    return paramsFlat == null ? 0 : paramsFlat.length();
  }

  @Override
  public long numParams(boolean backwards) {
    return numParams();
  }

  @Override
  public INDArray params() {
    return paramsFlat;
  }

  @Override
  public void setParams(INDArray p) {
    if (p == paramsFlat) return;
    if (p.length() != paramsFlat.length()) {
      throw new IllegalArgumentException("expected " + paramsFlat.length() + " parameters, found " + p.length());
    }
    paramsFlat.assign(p.reshape(paramsFlat.shape()));
  }

  @Override
  public void setParamsViewArray(INDArray p) {
    this.paramsFlat = p;
  }

  @Override
  public INDArray getGradientsViewArray() {
    return gradsFlat;
  }

  @Override
  public void setBackpropGradientsViewArray(INDArray g) {
    this.gradsFlat = g;
    this.gradViews = DistillationParamInitializer.INSTANCE.getGradientsFromFlattened(conf, g);
  }

  @Override
  public void setParamTable(Map<String, INDArray> table) {
    this.params = table;
    this.cache = null;
  }

  @Override
  public Map<String, INDArray> paramTable() {
    return params;
  }

  @Override
  public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
    return params;
  }

  @Override
  public INDArray getParam(String key) {
    return params.get(key);
  }

  @Override
  public void setParam(String key, INDArray val) {
    params.get(key).assign(val);
  }

  @Override
  public void update(Gradient g) {
    for (Map.Entry<String, INDArray> e : g.gradientForVariable().entrySet()) update(e.getValue(), e.getKey());
  }

  @Override
  public void update(INDArray g, String key) {
    params.get(key).addi(g);
  }

  @Override
  public void clearNoiseWeightParams() {}

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public double calcRegularizationScore(boolean backpropOnlyParams) {
    return 0; // decoupled weight decay adds no term to the loss
  }

  @Override
  public Type type() {
    return Type.FEED_FORWARD;
  }

  // ============================================================================================ DL4J: output layer

  @Override
  public boolean needsLabels() {
    return true;
  }

  @Override
  public void setLabels(INDArray labels) {
    this.labels = labels;
  }

  @Override
  public INDArray getLabels() {
    return labels;
  }

  @Override
  public int numLabels() {
    return Math.max(1, layerConf().studentSpec().heads().numLabels());
  }

  @Override
  public int[] predict(INDArray features) {
    INDArray out = activate(features, false, LayerWorkspaceMgr.noWorkspaces());
    return out.argMax(1).toIntVector();
  }

  @Override
  public List<String> predict(DataSet dataSet) {
    List<String> out = new ArrayList<>();
    for (int p : predict(dataSet.getFeatures())) out.add(String.valueOf(p));
    return out;
  }

  @Override
  public double f1Score(DataSet data) {
    return f1Score(data.getFeatures(), data.getLabels());
  }

  @Override
  public double f1Score(INDArray examples, INDArray labels) {
    throw new IllegalStateException("distillation is scored by its losses and by GLUE metrics, not DL4J's f1");
  }

  @Override
  public void fit(DataSetIterator iter) {
    throw new IllegalStateException("train the distillation layer through its ComputationGraph");
  }

  @Override
  public void fit(INDArray examples, INDArray labels) {
    throw new IllegalStateException("train the distillation layer through its ComputationGraph");
  }

  @Override
  public void fit(DataSet data) {
    throw new IllegalStateException("train the distillation layer through its ComputationGraph");
  }

  @Override
  public void fit(INDArray examples, int[] labels) {
    throw new IllegalStateException("train the distillation layer through its ComputationGraph");
  }
}
