package org.tinybert.distill;

import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.tinybert.config.ClipMode;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.config.TrainingSettings;
import org.tinybert.io.InputException;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.core.Dropout;

/**
 * The DL4J layer configuration of a TinyBERT student under distillation: the whole student BERT (plus fit_dense and
 * classifier), the losses against a teacher, and the training settings DL4J applies to its parameters.
 *
 * <p>It is one output layer holding every student parameter because DL4J's Spark training (parameter averaging) trains
 * a {@code ComputationGraph}, and BERT's layers with the teacher alongside do not decompose into DL4J's built-in layers.
 * The configuration travels to executors as JSON, so every field here is plain data; the teacher itself is loaded on
 * each executor from {@link #getTeacherPath()} ({@link org.tinybert.runtime.ExecutorRuntime}), and the engine is
 * named here ({@link #getEngine()}) and resolved there.
 */
// DL4J ships configurations to Spark executors as JSON through its shaded Jackson; plain private fields carry it.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class DistillationLayer extends Layer {
  private String studentConfigJson;
  private boolean pooler;
  private int numLabels;
  private String fit = Heads.Fit.SHARED.name();
  private int fitSize;
  private String teacherPath;
  // LayerMappingSetting's text ("uniform", "3,6,9"): the JSON of the checkpoints written so far, and DL4J's shaded
  // Jackson cannot (de)serialise the record itself. Only the constructor writes it and getLayerMapping() reads it.
  private String layerMapping = LayerMappingSetting.UNIFORM.toString();
  private double attentionWeight;
  private double embeddingWeight;
  private double hiddenWeight;
  private double predictionWeight;
  private double labelWeight;
  private double temperature = 1.0;
  private boolean regression;
  private boolean reluHead;
  private IUpdater updater;
  private double weightDecay;
  // The constant's name (PER_TENSOR, GLOBAL, NONE): the JSON of the checkpoints written so far.
  private String clip = ClipMode.PER_TENSOR.name();
  private double clipThreshold = 1.0;
  private long initSeed;
  private int seqLength;
  private double hiddenDropout;
  private double attentionDropout;
  private long dropoutSeed;
  private String engine = EngineChoice.AUTO.key();

  /** For JSON deserialisation. */
  public DistillationLayer() {
    setLayerName("student");
  }

  public DistillationLayer(StudentSpec student, String teacherPath, LayerMappingSetting layerMapping,
      LossWeights weights, IUpdater updater, double weightDecay, ClipMode clip, double clipThreshold, long initSeed,
      int seqLength) {
    this();
    this.studentConfigJson = new String(student.config().toJson(), StandardCharsets.UTF_8);
    this.pooler = student.heads().pooler();
    this.numLabels = student.heads().numLabels();
    this.fit = student.heads().fit().name();
    this.fitSize = student.heads().fitSize();
    this.teacherPath = teacherPath;
    this.layerMapping = layerMapping.toString();
    this.attentionWeight = weights.attention();
    this.embeddingWeight = weights.embedding();
    this.hiddenWeight = weights.hidden();
    this.predictionWeight = weights.prediction();
    this.labelWeight = weights.label();
    this.temperature = weights.temperature();
    this.regression = weights.regression();
    this.reluHead = weights.reluHead();
    this.updater = updater;
    this.weightDecay = weightDecay;
    this.clip = clip.name();
    this.clipThreshold = clipThreshold;
    this.initSeed = initSeed;
    this.seqLength = seqLength;
  }

  /**
   * The layer a training run of {@code totalSteps} optimiser steps per worker needs: the losses' teacher, mapping and
   * weights, and everything else from the job's training settings (optimiser and schedule, weight decay, clipping,
   * seed, dropout, engine).
   *
   * @param teacherPath the teacher's directory; null when the losses need none
   */
  public static DistillationLayer forTraining(StudentSpec student, String teacherPath, LayerMappingSetting layerMapping,
      LossWeights weights, TrainingSettings training, long totalSteps, int seqLength) {
    return new DistillationLayer(student, teacherPath, layerMapping, weights, updater(training, totalSteps),
        training.weightDecay(), training.clip(), training.clipThreshold(), training.seed(), seqLength)
        .withDropout(training.dropout(student.config())).withEngine(training.engine());
  }

  /** The DL4J updater of {@code training} for a run of {@code totalSteps} optimiser steps per worker. */
  public static IUpdater updater(TrainingSettings training, long totalSteps) {
    double lr = training.learningRate();
    WarmupLinearSchedule schedule = switch (training.schedule()) {
      case WARMUP_LINEAR -> new WarmupLinearSchedule(lr, training.warmupProportion(), Math.max(1, totalSteps));
      case CONSTANT -> null;
    };
    BertAdam adam = switch (training.optimizer()) {
      case ADAMW -> BertAdam.adamW(lr, schedule);
      case BERTADAM -> BertAdam.bertAdam(lr, schedule);
    };
    return adam.withEngine(training.engine());
  }

  public StudentSpec studentSpec() {
    BertConfig cfg = BertConfig.parse(studentConfigJson.getBytes(StandardCharsets.UTF_8), "student config");
    return new StudentSpec(cfg, new Heads(pooler, numLabels, false, false, Heads.Fit.valueOf(fit), fitSize));
  }

  public LossWeights lossWeights() {
    return new LossWeights(attentionWeight, embeddingWeight, hiddenWeight, predictionWeight, labelWeight, temperature,
        regression, reluHead);
  }

  public String getTeacherPath() {
    return teacherPath;
  }

  /** Which teacher layer each student layer learns from, before the teacher's depth is known. */
  public LayerMappingSetting getLayerMapping() {
    return LayerMappingSetting.parse(layerMapping).orElseThrow(() -> new InputException("layer mapping must be "
        + "uniform, top, bottom or a list of teacher layers like 3,6,9,12; found '" + layerMapping + "'"));
  }

  /**
   * Trains the student with this dropout (none unless set); each step's masks are keyed by its seed, the step and the
   * minibatch. Returns this layer.
   */
  public DistillationLayer withDropout(Dropout d) {
    this.hiddenDropout = d.hidden();
    this.attentionDropout = d.attention();
    this.dropoutSeed = d.seed();
    return this;
  }

  /**
   * Computes teacher, student, losses and (for a {@link BertAdam} updater) the update with {@code choice}'s engine,
   * which each executor resolves against its own ND4J backend. Returns this layer.
   */
  public DistillationLayer withEngine(EngineChoice choice) {
    this.engine = choice.key();
    if (updater instanceof BertAdam b) updater = b.withEngine(choice);
    return this;
  }

  /** {@code tinybert.engine} of this layer ({@link EngineChoice#AUTO} unless {@link #withEngine} set it). */
  public EngineChoice getEngine() {
    return EngineChoice.parse(engine);
  }

  /** The student's training dropout ({@link Dropout#NONE}'s probabilities unless {@link #withDropout} set it). */
  public Dropout dropout() {
    return new Dropout(hiddenDropout, attentionDropout, dropoutSeed);
  }

  public long getInitSeed() {
    return initSeed;
  }

  public int getSeqLength() {
    return seqLength;
  }

  public IUpdater getUpdater() {
    return updater;
  }

  public double getWeightDecay() {
    return weightDecay;
  }

  // ------------------------------------------------------------------------------------------- DL4J contract

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView, boolean initializeParams,
      DataType networkDataType) {
    DistillationLayerImpl layer = new DistillationLayerImpl(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }

  @Override
  public ParamInitializer initializer() {
    return DistillationParamInitializer.INSTANCE;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(Math.max(1, numLabels));
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // The input width is fixed by the sequence length (3L); nothing to infer.
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    if (weightDecay > 0 && StudentSpec.decays(StudentSpec.hfName(paramName))) {
      // Decoupled (AdamW-style) decay: DL4J adds lr * wd * param after the updater, as BertAdam does.
      return List.of(new WeightDecay(weightDecay, true));
    }
    return List.of();
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public IUpdater getUpdaterByParam(String paramName) {
    return updater;
  }

  @Override
  public GradientNormalization getGradientNormalization() {
    return switch (ClipMode.valueOf(clip)) {
      case PER_TENSOR -> GradientNormalization.ClipL2PerParamType;
      case GLOBAL -> GradientNormalization.ClipL2PerLayer;
      case NONE -> GradientNormalization.None;
    };
  }

  @Override
  public double getGradientNormalizationThreshold() {
    return clipThreshold;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return new LayerMemoryReport.Builder(getLayerName(), DistillationLayer.class, inputType,
        getOutputType(0, inputType)).standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
  }
}
