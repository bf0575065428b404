package org.tinybert.training;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.TeacherLayersSetting;
import org.tinybert.corpus.InstanceSettings;
import org.tinybert.corpus.InstanceStore;
import org.tinybert.corpus.Instances;
import org.tinybert.corpus.MinibatchExport;
import org.tinybert.corpus.MinibatchExporter;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.io.InputException;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.model.core.BertConfig;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * General distillation (the paper's first stage) as a {@link TrainingRun}: a student learns the teacher's
 * embeddings, attention scores and hidden states on a text corpus. The corpus is tokenized once into instances
 * (reused by later epochs and by reruns); every epoch is one seeded export of them into minibatch files.
 */
public final class GeneralDistillation extends TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(GeneralDistillation.class);
  /** The final student's directory under the output. */
  public static final String STUDENT = "student";

  private final GeneralDistillSettings s;
  private final SparkSession spark;
  private final BertConfig teacher;
  private final Vocab vocab;
  private final boolean lowerCase;
  private final StudentSpec spec;
  private final LayerMapping mapping;
  private final LossWeights weights;
  private final Instances instances;

  private GeneralDistillation(GeneralDistillSettings s, SparkSession spark, BertConfig teacher, Vocab vocab,
      boolean lowerCase, StudentSpec spec, LayerMapping mapping, LossWeights weights, Instances instances) {
    super("general-distill", s.output(), s.training());
    this.s = s;
    this.spark = spark;
    this.teacher = teacher;
    this.vocab = vocab;
    this.lowerCase = lowerCase;
    this.spec = spec;
    this.mapping = mapping;
    this.weights = weights;
    this.instances = instances;
  }

  /**
   * Checks everything that can be wrong with the inputs (teacher, vocabulary, student, their fit), then tokenizes the
   * corpus into instances (or finds them already there): the run that is left trains.
   */
  public static GeneralDistillation prepare(SparkSession spark, GeneralDistillSettings s) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    HfCheckpoint teacherCk = HfCheckpoint.load(s.teacher(), conf);
    BertConfig teacher = teacherCk.config();
    Vocab vocab = Vocab.ofModel(s.teacher(), teacher.vocabSize(), conf);
    StudentSpec spec = studentSpec(s, teacherCk, conf);
    LossWeights weights = LossWeights.intermediate(s.attentionWeight(), s.embeddingWeight(), s.hiddenWeight());
    checkCompatible(s, teacher, spec.config(), weights);
    LayerMapping mapping = StudentFromTeacher.mapping(s.layerMapping(), teacher.numHiddenLayers(),
        spec.config().numHiddenLayers(), s.student().teacherLayers());
    boolean lowerCase = TokenizerFiles.lowerCaseForCased(s.cased(), GeneralDistillSettings.CASED.full(),
        s.teacher(), conf);
    InstanceSettings is = InstanceSettings.of(s.corpus(), s.training().seed()).withMaxSeqLength(s.maxSeqLength())
        .withShortSeqProb(s.shortSeqProb()).withSkipInvalidUtf8(s.skipInvalidUtf8());
    Instances instances = InstanceStore.prepare(spark, new Path(s.output(), "data"),
        new BertTokenizer(vocab, lowerCase), is, s.rebuildInstances());
    LOG.info("instances: {}", instances.summary());
    return new GeneralDistillation(s, spark, teacher, vocab, lowerCase, spec, mapping, weights, instances);
  }

  public Instances instances() {
    return instances;
  }

  static StudentSpec studentSpec(GeneralDistillSettings s, HfCheckpoint teacherCk, Configuration conf) {
    BertConfig teacher = teacherCk.config();
    if (s.student().teacherLayers().isPresent()) {
      TeacherLayersSetting layers = s.student().teacherLayers().get();
      layers.checkAgainst(teacher.numHiddenLayers(), GeneralDistillSettings.STUDENT.full(), s.teacher());
      // The teacher's config and width; a pooler only when the teacher has one to copy.
      BertConfig cfg = teacher.withNumHiddenLayers(layers.size()).withNumLabels(1).withFitSize(teacher.hiddenSize());
      return new StudentSpec(cfg, new Heads(teacherCk.heads().pooler(), 0, false, false, s.student().fitKind(),
          teacher.hiddenSize()));
    }
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

  // ---- the pieces of the run ----

  @Override
  protected long batchesPerEpoch() {
    return (instances.counts().instances() + training.batchSize() - 1) / training.batchSize();
  }

  @Override
  protected String describeData() {
    return "the corpus (" + String.join(", ", s.corpus()) + ") gives " + instances.counts().instances()
        + " instances";
  }

  @Override
  protected MinibatchExport export(int epoch) {
    return MinibatchExporter.export(spark, instances, epoch, training.batchSize());
  }

  @Override
  protected ComputationGraph newGraph(long totalSteps) {
    DistillationLayer layer = DistillationLayer.forTraining(spec, s.teacher().toString(), s.layerMapping(), weights,
        training, totalSteps, s.maxSeqLength());
    if (s.student().teacherLayers().isPresent()) {
      return DistillationGraph.create(layer, training.seed(),
          StudentFromTeacher.weights(HfCheckpoint.load(s.teacher(), conf), s.student().teacherLayers().get(), spec));
    }
    return s.student().dir().isPresent()
        ? DistillationGraph.create(layer, training.seed(), HfCheckpoint.load(s.student().dir().get(), conf).weights())
        : DistillationGraph.create(layer, training.seed());
  }

  /** The student as a Hugging Face directory; its tokenizer files record the casing it was trained with. */
  @Override
  protected void save(ComputationGraph g, Path dir) {
    HfCheckpoint.save(dir, spec.config(), DistillationGraph.studentWeights(g), vocab.tokens(), lowerCase, conf);
  }

  @Override
  protected String modelName() {
    return STUDENT;
  }

  @Override
  protected Map<String, Object> manifest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("settings", json(s));
    m.put("teacher", Map.of("path", s.teacher().toString(), "layers", teacher.numHiddenLayers(), "hidden",
        teacher.hiddenSize(), "heads", teacher.numAttentionHeads(), "vocab_size", teacher.vocabSize()));
    m.put("student", Map.of("layers", spec.config().numHiddenLayers(), "hidden", spec.config().hiddenSize(), "heads",
        spec.config().numAttentionHeads(), "intermediate", spec.config().intermediateSize(), "parameters",
        spec.layout().size(), "fit", spec.heads().fit().name()));
    // Its own key: finish() replaces "student" with the final student's directory.
    s.student().teacherLayers().ifPresent(l -> m.put("student_from", StudentFromTeacher.record(s.teacher(), l)));
    m.put("instances", Map.of("dir", instances.dir().toString(), "description", instances.description().toString(),
        "counts", json(instances.counts())));
    return m;
  }

  /** The first {@code probe-examples} instances of the first epoch's first minibatch. */
  @Override
  protected ProbeLosses probe(MinibatchExport first) throws IOException {
    if (s.probeExamples() == 0) return null;
    MultiDataSet batch = first.loader().load(new Path(first.batchPaths().get(0)), conf);
    BertBatch b = BatchEncoding.batch(batch.getFeatures(0));
    return new ProbeLosses(b.slice(0, Math.min(s.probeExamples(), b.batchSize())), s.teacher().toString(), spec,
        new DistillationLoss(mapping, weights, training.engine().resolve()));
  }

  @Override
  protected void finish(ComputationGraph g, org.tinybert.io.TrainingState state, Path model,
      org.tinybert.run.RunManifest manifest) {
    manifest.put(STUDENT, model.toString());
  }
}
