package org.tinybert.jobs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.corpus.InstanceSettings;
import org.tinybert.corpus.InstanceStore;
import org.tinybert.corpus.Instances;
import org.tinybert.corpus.MinibatchExport;
import org.tinybert.corpus.MinibatchExporter;
import org.tinybert.corpus.MinibatchLoader;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.DistillationLayerImpl;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.io.CheckpointStore;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.RunLog;
import org.tinybert.io.TrainingState;
import org.tinybert.model.BertBatch;
import org.tinybert.model.BertConfig;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.spark.ParameterAveragingTrainer;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * General distillation (the paper's first stage): a student learns the teacher's embeddings, attention scores and
 * hidden states on a text corpus, data-parallel across executors with parameter averaging. The corpus is tokenized
 * once into instances (reused by later epochs and by reruns); the run checkpoints every few rounds and a rerun of the
 * same command continues from the last checkpoint; the final student is written to {@code <output>/student}.
 */
public final class GeneralDistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(GeneralDistillJob.class);

  /** What a run did. {@code curve} holds (round, probe or training loss) pairs, one per round. */
  public record Summary(String runId, Path student, Path output, long rounds, long examples, boolean resumed,
      boolean alreadyFinished, List<double[]> curve, long instances) {

    public String describe() {
      StringBuilder s = new StringBuilder();
      s.append(alreadyFinished ? "general distillation had already finished: nothing to train\n" : "");
      s.append("student: ").append(student).append('\n');
      s.append(String.format("rounds: %d, examples seen: %d, instances: %d%s%n", rounds, examples, instances,
          resumed ? " (resumed from a checkpoint)" : ""));
      if (!curve.isEmpty()) {
        s.append("loss curve (round: loss):");
        int step = Math.max(1, curve.size() / 10);
        for (int i = 0; i < curve.size(); i += step) {
          s.append(String.format(" %d: %.4f", (long) curve.get(i)[0], curve.get(i)[1]));
        }
        double[] last = curve.get(curve.size() - 1);
        if ((curve.size() - 1) % step != 0) s.append(String.format(" %d: %.4f", (long) last[0], last[1]));
        s.append(String.format("%nloss fell from %.4f to %.4f (%.1fx)", curve.get(0)[1], last[1],
            curve.get(0)[1] / last[1]));
      }
      return s.toString();
    }
  }

  private GeneralDistillJob() {}

  public static Summary run(SparkSession spark, GeneralDistillSettings s) throws IOException {
    return run(spark, s, UnaryOperator.identity());
  }

  /**
   * As {@link #run(SparkSession, GeneralDistillSettings)}; {@code loaderHook} wraps the executors' minibatch loader
   * (tests inject executor failures through it).
   */
  public static Summary run(SparkSession spark, GeneralDistillSettings s, UnaryOperator<MultiDataSetLoader> loaderHook)
      throws IOException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LOG.info("general-distill run {}: {}", runId, s);
    LOG.info("engine: {} (executors resolve {} on their own backend)", s.training().engine().describe(),
        s.training().engine());

    // 1. Everything that can be wrong with the inputs is checked before any training starts.
    HfCheckpoint teacherMeta = HfCheckpoint.load(s.teacher(), conf);
    BertConfig teacher = teacherMeta.config();
    Vocab vocab = teacherVocab(s.teacher(), teacher, conf);
    StudentSpec spec = studentSpec(s, teacher, conf);
    LossWeights weights = new LossWeights(s.attentionWeight(), s.embeddingWeight(), s.hiddenWeight(), 0, 0, 1, false,
        false);
    checkCompatible(s, teacher, spec.config(), weights);
    LayerMapping.parse(s.layerMapping(), teacher.numHiddenLayers(), spec.config().numHiddenLayers());

    // 2. Instances: tokenized once, reused by every epoch and by reruns.
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), GeneralDistillSettings.ROOT + ".cased", s.teacher(),
        conf);
    BertTokenizer tokenizer = new BertTokenizer(vocab, lowerCase);
    InstanceSettings is = InstanceSettings.of(s.corpus(), s.training().seed()).withMaxSeqLength(s.maxSeqLength())
        .withShortSeqProb(s.shortSeqProb()).withSkipInvalidUtf8(s.skipInvalidUtf8());
    Instances instances = InstanceStore.prepare(spark, new Path(s.output(), "data"), tokenizer, is,
        s.rebuildInstances());
    LOG.info("instances: {}", instances.summary());

    // 3. The plan, and the graph: from the last checkpoint, or new.
    int workers = s.training().workers() > 0 ? s.training().workers() : jsc.defaultParallelism();
    long batchesPerEpoch = instances.counts().instances() / s.training().batchSize();
    int perRound = workers * s.training().averagingFrequency();
    if (batchesPerEpoch < perRound) {
      throw new InputException("the corpus gives " + instances.counts().instances() + " instances, "
          + batchesPerEpoch + " minibatches of " + s.training().batchSize() + ", fewer than one averaging round of "
          + workers + " workers x " + s.training().averagingFrequency() + " (" + String.join(", ", s.corpus()) + ")");
    }
    long totalSteps = (batchesPerEpoch - batchesPerEpoch % perRound) / workers * s.training().epochs();
    ParameterAveragingTrainer.Plan plan = new ParameterAveragingTrainer.Plan(workers, s.training().batchSize(),
        s.training().averagingFrequency(), s.training().epochs(), s.training().checkpointEvery(), s.training().seed());
    CheckpointStore store = new CheckpointStore(s.output(), conf, s.training().keepCheckpoints());
    Optional<CheckpointStore.Restored> last = store.restoreLatest();
    ComputationGraph graph;
    TrainingState state;
    if (last.isPresent()) {
      graph = last.get().graph();
      state = last.get().checkpoint().state();
      LOG.info("resuming from {} (round {}, epoch {}, {} examples seen)", last.get().checkpoint().dir(),
          state.round(), state.epoch() + 1, state.examples());
    } else {
      DistillationLayer layer = new DistillationLayer(spec, s.teacher().toString(), s.layerMapping(), weights,
          s.training().updater(totalSteps), s.training().weightDecay(), s.training().clipMode(),
          s.training().clipThreshold(), s.training().seed(), s.maxSeqLength())
          .withDropout(s.training().dropout(spec.config())).withEngine(s.training().engine());
      graph = s.student().dir().isPresent()
          ? DistillationGraph.create(layer, s.training().seed(), HfCheckpoint.load(s.student().dir().get(), conf)
              .weights())
          : DistillationGraph.create(layer, s.training().seed());
      state = TrainingState.start();
    }
    boolean alreadyFinished = state.finished();

    // 4. Records: metrics.jsonl (per round), manifest.json, and a probe batch measured after every round.
    RunLog log = new RunLog(s.output(), conf, state.round());
    Map<String, Object> manifest = manifest(runId, spark, s, teacher, spec, instances, plan, state);
    manifest.put("round_bytes_per_worker", ParameterAveragingTrainer.roundBytesPerWorker(graph));
    log.writeManifest(manifest);
    List<double[]> curve = new ArrayList<>();
    for (var r : log.records()) {
      double loss = r.has("probe_total") ? r.get("probe_total").asDouble() : r.path("train_loss").asDouble();
      curve.add(new double[] {r.get("round").asDouble(), loss});
    }

    BertBatch probeBatch = null;
    ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(jsc, plan, store,
        g -> dir -> saveStudent(g, spec, vocab, lowerCase, new Path(dir, "student"), conf));
    MinibatchLoader loader = null;
    Map<Integer, MinibatchExport> exports = new LinkedHashMap<>();
    if (!alreadyFinished) {
      MinibatchExport first = MinibatchExporter.export(spark, instances, state.epoch(), s.training().batchSize());
      exports.put(state.epoch(), first);
      if (s.probeExamples() > 0) probeBatch = probeBatch(first, s.probeExamples(), conf);
    }
    ProbeLosses probe = probeBatch == null ? null : new ProbeLosses(probeBatch, s.teacher().toString(), spec,
        new DistillationLoss(LayerMapping.parse(s.layerMapping(), teacher.numHiddenLayers(),
            spec.config().numHiddenLayers()), weights, s.training().engine().resolve()));
    long startNanos = System.nanoTime();
    long startExamples = state.examples();
    state = trainer.train(graph, state, epoch -> {
      MinibatchExport e = exports.computeIfAbsent(epoch,
          ep -> MinibatchExporter.export(spark, instances, ep, s.training().batchSize()));
      LOG.info("epoch {}: {}", epoch + 1, e.summary());
      return new ParameterAveragingTrainer.Epoch(e.batchPaths(), loaderHook.apply(e.loader()));
    }, "general-distill " + runId, (g, round) -> {
      Map<String, Object> rec = new LinkedHashMap<>();
      TrainingState st = round.state();
      rec.put("round", st.round());
      rec.put("epoch", st.epoch() + 1);
      rec.put("step", st.steps());
      rec.put("examples", st.examples());
      rec.put("train_loss", round.score());
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      double rate = (st.examples() - startExamples) / Math.max(elapsed, 1e-9);
      long remainingBatches = round.totalBatches() - ((long) st.epoch() * round.batchesThisEpoch() + st.batchesDone());
      double eta = remainingBatches * s.training().batchSize() / Math.max(rate, 1e-9);
      rec.put("examples_per_second", rate);
      rec.put("round_seconds", round.roundSeconds());
      rec.put("step_seconds", round.stepSeconds());
      rec.put("eta_seconds", eta);
      rec.put("learning_rate", DistillationGraph.layerConf(g).getUpdater().getLearningRate((int) st.steps(), 0));
      String losses = "";
      if (probe != null) {
        DistillationLoss.Result p = probe.measure(g);
        losses = ProbeLosses.record(rec, p);
        curve.add(new double[] {st.round(), p.total()});
      } else {
        curve.add(new double[] {st.round(), round.score()});
      }
      log.append(rec);
      LOG.info(String.format("round %d | epoch %d/%d | step %d | %d examples | train loss %.4f%s | %.1f examples/s | "
          + "ETA %s", st.round(), st.epoch() + 1, s.training().epochs(), st.steps(), st.examples(), round.score(),
          losses, rate, duration(eta)));
    });

    Path student = new Path(s.output(), "student");
    if (!alreadyFinished || !HadoopIO.exists(new Path(student, "config.json"), conf)) {
      saveStudent(graph, spec, vocab, lowerCase, student, conf);
    }
    manifest.put("finished_at", Instant.now().toString());
    manifest.put("rounds", state.round());
    manifest.put("examples_seen", state.examples());
    manifest.put("student", student.toString());
    log.writeManifest(manifest);
    return new Summary(runId, student, s.output(), state.round(), state.examples(), last.isPresent(), alreadyFinished,
        curve, instances.counts().instances());
  }

  static Vocab teacherVocab(Path teacherDir, BertConfig teacher, Configuration conf) {
    Path vocabFile = new Path(teacherDir, "vocab.txt");
    if (!HadoopIO.exists(vocabFile, conf)) {
      throw new InputException("teacher " + teacherDir + " has no vocab.txt: the corpus must be tokenized "
          + "with the teacher's vocabulary");
    }
    Vocab vocab = Vocab.load(vocabFile, conf);
    if (vocab.size() != teacher.vocabSize()) {
      throw new InputException("vocabulary " + vocabFile + " has " + vocab.size() + " tokens but the "
          + "teacher's config.json says vocab_size " + teacher.vocabSize() + ": tokenizer and teacher do not match");
    }
    return vocab;
  }

  static StudentSpec studentSpec(GeneralDistillSettings s, BertConfig teacher, Configuration conf) {
    if (s.student().dir().isPresent()) {
      HfCheckpoint st = HfCheckpoint.load(s.student().dir().get(), conf);
      Heads h = st.heads();
      if (h.fit() == Heads.Fit.NONE) h = h.withFit(s.student().fitKind(), teacher.hiddenSize());
      return new StudentSpec(st.config().withFitSize(teacher.hiddenSize()), h);
    }
    BertConfig cfg = s.student().freshConfig(teacher).withNumLabels(1);
    return new StudentSpec(cfg, new Heads(true, 0, false, false, s.student().fitKind(), teacher.hiddenSize()));
  }

  static void checkCompatible(GeneralDistillSettings s, BertConfig teacher, BertConfig student, LossWeights w) {
    List<String> problems = new ArrayList<>();
    if (w.attention() > 0 && student.numAttentionHeads() != teacher.numAttentionHeads()) {
      problems.add("attention distillation needs the student's head count to equal the teacher's: student has "
          + student.numAttentionHeads() + ", teacher " + s.teacher() + " has " + teacher.numAttentionHeads()
          + " (set attention-weight = 0 or change student-heads)");
    }
    if (student.vocabSize() != teacher.vocabSize()) {
      problems.add("student vocab_size " + student.vocabSize() + " differs from the teacher's " + teacher.vocabSize());
    }
    if (s.maxSeqLength() > teacher.maxPositionEmbeddings()) {
      problems.add("max-seq-length " + s.maxSeqLength() + " exceeds max_position_embeddings "
          + teacher.maxPositionEmbeddings() + " of teacher " + s.teacher());
    }
    if (s.maxSeqLength() > student.maxPositionEmbeddings()) {
      problems.add("max-seq-length " + s.maxSeqLength() + " exceeds the student's max_position_embeddings "
          + student.maxPositionEmbeddings());
    }
    if (!problems.isEmpty()) throw new InputException(String.join("; ", problems));
  }

  /** The student as a Hugging Face directory; its tokenizer files record the casing it was trained with. */
  static void saveStudent(ComputationGraph g, StudentSpec spec, Vocab vocab, boolean lowerCase, Path dir,
      Configuration conf) {
    HfCheckpoint.save(dir, spec.config(), DistillationGraph.studentWeights(g), vocab.tokens(), lowerCase, conf);
  }

  private static BertBatch probeBatch(MinibatchExport export, int examples, Configuration conf) throws IOException {
    MultiDataSet first = export.loader().load(new Path(export.batchPaths().get(0)), conf);
    BertBatch b = BatchEncoding.batch(first.getFeatures(0));
    return b.slice(0, Math.min(examples, b.batchSize()));
  }

  private static Map<String, Object> manifest(String runId, SparkSession spark, GeneralDistillSettings s,
      BertConfig teacher, StudentSpec spec, Instances instances, ParameterAveragingTrainer.Plan plan,
      TrainingState state) {
    ObjectMapper json = new ObjectMapper().registerModule(new SimpleModule()
        .addSerializer(Path.class, new ToStringSerializer<>())
        .addSerializer(Optional.class, new OptionalSerializer()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", "general-distill");
    m.put("run_id", runId);
    m.put("started_at", Instant.now().toString());
    m.put("spark_application_id", spark.sparkContext().applicationId());
    m.put("spark_master", spark.sparkContext().master());
    m.put("resumed_at_round", state.round());
    m.put("engine", s.training().engine().describe());
    m.put("settings", json.valueToTree(s));
    m.put("teacher", Map.of("path", s.teacher().toString(), "layers", teacher.numHiddenLayers(), "hidden",
        teacher.hiddenSize(), "heads", teacher.numAttentionHeads(), "vocab_size", teacher.vocabSize()));
    m.put("student", Map.of("layers", spec.config().numHiddenLayers(), "hidden", spec.config().hiddenSize(), "heads",
        spec.config().numAttentionHeads(), "intermediate", spec.config().intermediateSize(), "parameters",
        spec.layout().size(), "fit", spec.heads().fit().name()));
    m.put("instances", Map.of("dir", instances.dir().toString(), "description", instances.description().toString(),
        "counts", json.valueToTree(instances.counts())));
    m.put("plan", json.valueToTree(plan));
    m.put("versions", Map.of("java", System.getProperty("java.version"), "spark", spark.version(),
        "tinybert", String.valueOf(GeneralDistillJob.class.getPackage().getImplementationVersion())));
    return m;
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) return "?";
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
  }

  private static final class ToStringSerializer<T> extends JsonSerializer<T> {
    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider p) throws IOException {
      gen.writeString(value.toString());
    }
  }

  @SuppressWarnings("rawtypes")
  private static final class OptionalSerializer extends JsonSerializer<Optional> {
    @Override
    public void serialize(Optional value, JsonGenerator gen, SerializerProvider p) throws IOException {
      if (value.isPresent()) p.defaultSerializeValue(value.get(), gen); else gen.writeNull();
    }
  }
}
