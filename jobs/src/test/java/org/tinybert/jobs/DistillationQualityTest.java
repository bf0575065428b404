package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.augment.AugmentSummary;
import org.tinybert.config.AugmentSettings;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.BertConfig;
import org.tinybert.run.RunFiles;
import org.tinybert.testing.GeneratedText;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * TinyBERT's claim in miniature (issue 7), every step a real job on local[2]: a general student, plus data
 * augmentation, plus both task-distillation stages, reaches at least 95% of its teacher's dev accuracy and clearly
 * beats the same student fine-tuned on the labels alone; without the intermediate stage (the paper's Table 6,
 * "No Int.") it scores lower. The accuracies and each job's seconds are printed to the test's output.
 *
 * <p>The task ({@link SyntheticPolarity}): the label is the polarity of one keyword of 24. The teacher stands for
 * BERT-base, whose knowledge comes from pre-training; here that knowledge is 256 labelled examples naming every
 * keyword. The student's task directory has only the first 24 of them, which name some keywords and not others.
 * Fine-tuned on those labels the student overfits them and guesses on the other keywords; augmentation (GloVe
 * neighbours of the same polarity, masked-LM words in the context) puts every keyword into its training set, and the
 * teacher's hidden states, attention and logits say what each means.
 *
 * <p>Models: the base BERT is the golden teacher's embeddings and first two layers (48 wide, 4 heads; the full
 * six-layer golden teacher, random weights, stayed at the majority class through 128 fine-tuning steps). The general
 * student is the golden student (2 layers, 24 wide) general-distilled from the base on generated text (a fresh student
 * at BERT's initialisation learned nothing from the 24 labels in the steps a test can take). Every job trains without
 * dropout: with it, as in the fine-tuning learning test, whether the tiny students learned depended on the masks
 * drawn. Training is deterministic for fixed seeds. Measured with these settings over other data seeds (9, 13, 21)
 * and keyword seeds (3, 11, 17): teacher 0.94-1.0, distilled student 0.94-1.0 (at least 98% of its teacher), labels
 * only 0.68-0.77, prediction stage only 0.74-0.84.
 *
 * <p>Tagged slow (30 to 50 s on the 2-core machine): it trains to quality thresholds over many steps, and every job it
 * chains has its own end-to-end test in the default suite. It is the check that the pipeline as a whole distils, so
 * {@code mvn -B -Pslow test} runs it deliberately ({@code .ci/run}, after the default suite).
 */
@Tag("slow")
class DistillationQualityTest {
  @TempDir static java.nio.file.Path tmp;
  static SparkSession spark;
  static final Configuration CONF = new Configuration();
  static final int MAX_SEQ_LENGTH = 12;
  /** Labelled examples in the student's task directory. */
  static final int LABELLED = 24;
  static final Map<String, Double> ACC = new LinkedHashMap<>();
  static java.nio.file.Path studentTask;
  static Path distilledBest;
  static TaskDistillJob.Summary distilled;

  @BeforeAll
  static void runThePipeline() throws Exception {
    spark = LocalSpark.start("DistillationQualityTest");
    Vocab vocab = Vocab.load(Golden.hadoopPath("vocab.txt"), CONF);
    SyntheticPolarity task = SyntheticPolarity.create(new BertTokenizer(vocab, true), 12, 24, 7);
    Random rows = new Random(5);
    List<String> dev = task.rows(128, rows);
    List<String> train = task.rows(256, rows);
    java.nio.file.Path teacherTask = SyntheticPolarity.writeTask(tmp.resolve("SST-2-teacher"), train, dev);
    studentTask = SyntheticPolarity.writeTask(tmp.resolve("SST-2"), train.subList(0, LABELLED), dev);
    Path base = twoLayerGoldenTeacher(tmp.resolve("bert-2x48"));
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t = System.nanoTime();

    // 1. The teacher: the base BERT fine-tuned on all 256 labelled examples.
    String teacherOut = tmp.resolve("teacher").toString();
    FinetuneTeacherJob.run(spark, settings(FinetuneTeacherSettings.ROOT, FinetuneTeacherSettings::from,
        "model=" + q(base), "task=sst-2", "task-dir=" + q(teacherTask), "output=" + q(teacherOut),
        "max-seq-length=" + MAX_SEQ_LENGTH, "new-classifier=true", "epochs=5", "batch-size=8",
        "averaging-frequency=8", "workers=2", "learning-rate=2e-3", "schedule=warmup-linear", "dropout=0"));
    Path teacher = new Path(teacherOut, RunFiles.BEST);
    ACC.put("teacher", acc(teacher));
    t = lap(seconds, "finetune-teacher", t);

    // 2. The general student: general distillation from the base on generated text.
    java.nio.file.Path corpus = tmp.resolve("corpus");
    Files.createDirectories(corpus);
    Files.write(corpus.resolve("part-0.txt"), GeneratedText.sentences(vocab, 512, 4, 10, 400, 3));
    String generalOut = tmp.resolve("general").toString();
    GeneralDistillJob.run(spark, settings(GeneralDistillSettings.ROOT, GeneralDistillSettings::from,
        "corpus=[" + q(corpus) + "]", "teacher=" + q(base), "student=" + q(Golden.hadoopPath("student")),
        "output=" + q(generalOut), "max-seq-length=16", "epochs=1", "batch-size=16", "averaging-frequency=2",
        "workers=2", "probe-examples=0", "learning-rate=3e-3", "dropout=0"));
    Path general = new Path(generalOut, "student");
    t = lap(seconds, "general-distill", t);

    // 3. Augmentation of the student's 24 examples: masked LM = the golden teacher (for the content words), GloVe = the
    // task's vectors (for the keywords); K = 8 keeps a keyword's neighbours in its polarity.
    java.nio.file.Path glove = tmp.resolve("glove.txt");
    task.writeGlove(glove, 32, 11);
    AugmentSummary aug = AugmentJob.run(spark, settings(AugmentSettings.ROOT, AugmentSettings::from,
        "task=sst-2", "input=" + q(studentTask.resolve("train.tsv")), "glove=" + q(glove),
        "mlm=" + q(Golden.hadoopPath("teacher")), "output=" + q(studentTask.resolve("train_aug.tsv")), "top-k=8",
        "variants=20", "seed=42", "partitions=2")).summary();
    t = lap(seconds, "augment", t);

    // 4. Labels only: the general student fine-tuned on the 24 labelled examples (plain fine-tuning), with the
    // prediction stage's optimiser and more epochs than its dev score needs (it stops rising after about 12).
    String labelsOut = tmp.resolve("labels-only").toString();
    FinetuneTeacherJob.run(spark, settings(FinetuneTeacherSettings.ROOT, FinetuneTeacherSettings::from,
        "model=" + q(general), "task=sst-2", "task-dir=" + q(studentTask), "output=" + q(labelsOut),
        "max-seq-length=" + MAX_SEQ_LENGTH, "new-classifier=true", "epochs=20", "batch-size=4",
        "averaging-frequency=3", "workers=2", "learning-rate=3e-3", "schedule=warmup-linear", "dropout=0"));
    ACC.put("labels only", acc(new Path(labelsOut, RunFiles.BEST)));
    t = lap(seconds, "finetune student on labels", t);

    // 5. Task distillation on train_aug.tsv: both stages, then the prediction stage alone ("No Int."), with the same
    // settings.
    String distilledOut = tmp.resolve("task-distill").toString();
    distilled = TaskDistillJob.run(spark, taskDistill(teacher, general, distilledOut, "both"));
    distilledBest = new Path(distilledOut, RunFiles.BEST);
    ACC.put("task-distill both stages", acc(distilledBest));
    t = lap(seconds, "task-distill both", t);
    String noIntOut = tmp.resolve("no-intermediate").toString();
    TaskDistillJob.run(spark, taskDistill(teacher, general, noIntOut, "prediction"));
    ACC.put("task-distill prediction only", acc(new Path(noIntOut, RunFiles.BEST)));
    lap(seconds, "task-distill prediction", t);

    System.out.printf("DistillationQualityTest: %d labelled examples naming %d of %d keywords, train_aug.tsv %d rows "
        + "naming %d%n", LABELLED, named(studentTask.resolve("train.tsv"), task), 24, aug.outputRows(),
        named(studentTask.resolve("train_aug.tsv"), task));
    ACC.forEach((k, v) -> System.out.printf("DistillationQualityTest: dev accuracy %-30s %.4f%n", k, v));
    seconds.forEach((k, v) -> System.out.printf("DistillationQualityTest: %-30s %.1f s%n", k, v));
  }

  @AfterAll
  static void stop() {
    LocalSpark.stop(spark);
  }

  @Test
  void theDistilledStudentReaches95PercentOfItsTeacher() {
    assertEquals("train_aug.tsv", distilled.trainFile().getName(), "task-distill trains on the augmented set");
    assertEquals(2, distilled.stages().size());
    assertTrue(ACC.get("task-distill both stages") >= 0.95 * ACC.get("teacher"), ACC.toString());
  }

  @Test
  void distillationClearlyBeatsFineTuningTheStudentOnLabels() {
    assertTrue(ACC.get("task-distill both stages") >= ACC.get("labels only") + 0.05, ACC.toString());
  }

  @Test
  void withoutTheIntermediateStageTheStudentScoresLower() {
    assertTrue(ACC.get("task-distill prediction only") < ACC.get("task-distill both stages"), ACC.toString());
  }

  @Test
  void evaluateScoresTheDistilledStudentAsItsEvalJsonSays() throws Exception {
    EvaluateJob.Summary s = EvaluateJob.run(spark, settings(EvaluateSettings.ROOT, EvaluateSettings::from,
        "model=" + q(distilledBest), "task=sst-2", "task-dir=" + q(studentTask), "max-seq-length=" + MAX_SEQ_LENGTH));
    assertEquals(ACC.get("task-distill both stages"), s.results().get(0).metrics().get("acc"), 1e-9);
  }

  static TaskDistillSettings taskDistill(Path teacher, Path student, String out, String stage) {
    List<String> sets = new ArrayList<>(List.of("task=sst-2", "task-dir=" + q(studentTask), "teacher=" + q(teacher),
        "student=" + q(student), "output=" + q(out), "stage=" + stage, "max-seq-length=" + MAX_SEQ_LENGTH));
    for (String s : List.of("intermediate", "prediction")) {
      sets.addAll(List.of(s + ".batch-size=8", s + ".averaging-frequency=4", s + ".workers=2", s + ".dropout=0"));
    }
    // Rates for tiny models, far above BERT-base's; at 3e-3 the prediction stage sometimes collapsed to one class.
    sets.addAll(List.of("intermediate.epochs=8", "intermediate.learning-rate=2e-3", "prediction.epochs=4",
        "prediction.learning-rate=1e-3"));
    return settings(TaskDistillSettings.ROOT, TaskDistillSettings::from, sets.toArray(String[]::new));
  }

  /** A job's settings: its reference.conf defaults with {@code key=value} overrides under {@code root}. */
  static <T> T settings(String root, Function<Config, T> from, String... overrides) {
    List<String> sets = new ArrayList<>();
    for (String o : overrides) sets.add(root + "." + o);
    return from.apply(SettingsLoader.load(root, Optional.empty(), sets));
  }

  static String q(Object path) {
    return "\"" + path + "\"";
  }

  /** The dev accuracy a run recorded with its best model. */
  static double acc(Path best) throws IOException {
    return new ObjectMapper().readTree(new java.io.File(best.toUri().getPath(), RunFiles.EVAL)).get("metrics")
        .get("acc").asDouble();
  }

  static long lap(Map<String, Double> seconds, String what, long since) {
    long now = System.nanoTime();
    seconds.put(what, (now - since) / 1e9);
    return now;
  }

  /** How many of the task's keywords a GLUE file names. */
  static long named(java.nio.file.Path file, SyntheticPolarity task) throws IOException {
    String text = Files.readString(file);
    List<String> all = new ArrayList<>(task.positive);
    all.addAll(task.negative);
    return all.stream().filter(k -> Pattern.compile("\\b" + k + "\\b").matcher(text).find()).count();
  }

  /** The golden teacher cut to its embeddings, first two layers and heads, as a Hugging Face directory. */
  static Path twoLayerGoldenTeacher(java.nio.file.Path dir) throws IOException {
    HfCheckpoint golden = Golden.checkpoint("teacher");
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(golden.config().toJson());
    config.put("num_hidden_layers", 2);
    BertConfig two = BertConfig.parse(json.writeValueAsBytes(config), "golden teacher cut to 2 layers");
    Pattern layer = Pattern.compile("\\.layer\\.(\\d+)\\.");
    Map<String, INDArray> weights = new LinkedHashMap<>();
    golden.weights().forEach((name, w) -> {
      Matcher m = layer.matcher(name);
      if (!m.find() || Integer.parseInt(m.group(1)) < 2) weights.put(name, w);
    });
    Path out = new Path(dir.toAbsolutePath().toString());
    HfCheckpoint.save(out, two, weights, Golden.hadoopPath("vocab.txt"), true, CONF);
    return out;
  }
}
