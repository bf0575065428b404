package org.tinybert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.BenchModel;
import org.tinybert.config.InferBenchSettings;
import org.tinybert.config.InferSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.distill.StudentSpec;
import org.tinybert.infer.InferOutput;
import org.tinybert.infer.InferPipeline;
import org.tinybert.infer.InferSummary;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.BertConfig;
import org.tinybert.settings.Section;
import org.tinybert.text.Vocab;

/**
 * What Spark costs {@code infer}: its examples/s on the session's master against the engine's own
 * ({@link DistillBenchmark#inference}, what {@code tinybert bench inference} runs), for a BERT-base-sized teacher and
 * a TinyBERT4-sized student with random weights. The table's rows are all longer than the sequence length, so every
 * batch of both is full length, and the two do the same arithmetic per example. Each round times the engine, then
 * infer with the teacher, then with the student (alternating, as the machine's load changes); medians are reported.
 * infer's rate is its own manifest's ({@code examples_per_second}: examples over the wall time of its scoring job).
 */
public final class InferBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(InferBenchmark.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LABELS = 2;

  private InferBenchmark() {}

  /** The teacher's and the student's sizes. */
  static BertConfig teacherConfig(BenchModel model) {
    return model == BenchModel.BASE ? DistillBenchmark.bertBase().withNumLabels(LABELS)
        : new BertConfig(1000, 48, 2, 4, 96, "gelu", 128, 2, 1e-12, 0, LABELS, 0, 0.02, null);
  }

  static BertConfig studentConfig(BenchModel model, BertConfig teacher) {
    return model == BenchModel.BASE ? BertConfig.tinyBert4(teacher).withFitSize(0).withNumLabels(LABELS)
        : new BertConfig(1000, 24, 1, 4, 48, "gelu", 128, 2, 1e-12, 0, LABELS, 0, 0.02, null);
  }

  public static Map<String, Object> run(SparkSession spark, InferBenchSettings s) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    BertConfig teacherConfig = teacherConfig(s.model());
    BertConfig studentConfig = studentConfig(s.model(), teacherConfig);
    Heads heads = new Heads(true, LABELS, false, false, Heads.Fit.NONE, 0);
    List<String> vocab = vocab(teacherConfig.vocabSize());
    Path teacher = new Path(s.dir(), s.model().key() + "-teacher");
    Path student = new Path(s.dir(), s.model().key() + "-student");
    Path table = new Path(s.dir(), "table-" + s.rows() + "x" + s.seqLength() + "-" + s.parts());
    saveIfAbsent(teacher, teacherConfig, heads, vocab, s.seed(), conf);
    saveIfAbsent(student, studentConfig, heads, vocab, s.seed() + 1, conf);
    writeTableIfAbsent(table, vocab, s, conf);

    DistillBenchmark.Settings engine = new DistillBenchmark.Settings(s.batch(), s.seqLength(), s.engineSteps(), 1,
        s.seed(), s.engine());
    List<Map<String, Object>> rounds = new ArrayList<>();
    for (int r = 0; r < s.rounds(); r++) {
      Map<String, Object> e = DistillBenchmark.inference(engine, teacherConfig, new StudentSpec(studentConfig, heads));
      long c0 = cpuNanos();
      InferSummary t = infer(spark, teacher, table, new Path(s.dir(), "out-teacher"), s, conf);
      long c1 = cpuNanos();
      InferSummary st = infer(spark, student, table, new Path(s.dir(), "out-student"), s, conf);
      long c2 = cpuNanos();
      Map<String, Object> round = new LinkedHashMap<>();
      round.put("engine_teacher_examples_per_second", e.get("teacher_examples_per_second"));
      round.put("engine_student_examples_per_second", e.get("student_examples_per_second"));
      round.put("infer_teacher_examples_per_second", round4(t.examplesPerSecond()));
      round.put("infer_student_examples_per_second", round4(st.examplesPerSecond()));
      // Per CPU second of this process: what a run costs, less exposed than wall time to other load on the machine.
      round.put("engine_teacher_examples_per_cpu_second", cpuRate(s.batch(), e.get("teacher_cpu_seconds")));
      round.put("engine_student_examples_per_cpu_second", cpuRate(s.batch(), e.get("student_cpu_seconds")));
      round.put("infer_teacher_examples_per_cpu_second", round4(t.examples() / ((c1 - c0) / 1e9)));
      round.put("infer_student_examples_per_cpu_second", round4(st.examples() / ((c2 - c1) / 1e9)));
      round.put("infer_teacher_seconds", round4(t.seconds()));
      round.put("infer_student_seconds", round4(st.seconds()));
      LOG.info("bench infer round {}: {}", r + 1, round);
      rounds.add(round);
    }
    double et = median(rounds, "engine_teacher_examples_per_second");
    double es = median(rounds, "engine_student_examples_per_second");
    double it = median(rounds, "infer_teacher_examples_per_second");
    double is = median(rounds, "infer_student_examples_per_second");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("benchmark", "infer");
    out.put("model", s.model().key());
    out.put("engine", s.engine().describe());
    out.put("teacher", describe(teacherConfig));
    out.put("student", describe(studentConfig));
    out.put("spark_master", spark.sparkContext().master());
    out.put("task_cpus", spark.sparkContext().getConf().get("spark.task.cpus", "1"));
    out.put("threads", Runtime.getRuntime().availableProcessors());
    out.put("rows", s.rows());
    out.put("parts", s.parts());
    out.put("batch", s.batch());
    out.put("seq_length", s.seqLength());
    out.put("engine_teacher_examples_per_second", et);
    out.put("engine_student_examples_per_second", es);
    out.put("infer_teacher_examples_per_second", it);
    out.put("infer_student_examples_per_second", is);
    out.put("teacher_infer_to_engine", round4(it / et));
    out.put("student_infer_to_engine", round4(is / es));
    out.put("engine_speedup", round4(es / et));
    out.put("infer_speedup", round4(is / it));
    double ct = median(rounds, "engine_teacher_examples_per_cpu_second");
    double cs = median(rounds, "engine_student_examples_per_cpu_second");
    double ict = median(rounds, "infer_teacher_examples_per_cpu_second");
    double ics = median(rounds, "infer_student_examples_per_cpu_second");
    out.put("engine_teacher_examples_per_cpu_second", ct);
    out.put("engine_student_examples_per_cpu_second", cs);
    out.put("infer_teacher_examples_per_cpu_second", ict);
    out.put("infer_student_examples_per_cpu_second", ics);
    out.put("teacher_infer_to_engine_cpu", round4(ict / ct));
    out.put("student_infer_to_engine_cpu", round4(ics / cs));
    out.put("rounds", rounds);
    return out;
  }

  /** One infer run from scratch (its earlier output removed), the table read as text. */
  private static InferSummary infer(SparkSession spark, Path model, Path table, Path output, InferBenchSettings s,
      Configuration conf) throws IOException {
    FileSystem fs = HadoopIO.fs(output, conf);
    InferOutput layout = new InferOutput(output, conf);
    for (Path p : List.of(layout.output(), layout.staging(), layout.manifest())) fs.delete(p, true);
    Section k = InferSettings.SECTION;
    InferSettings settings = InferSettings.from(SettingsLoader.load(InferSettings.ROOT, Optional.empty(), List.of(
        k.key("model") + "=\"" + model + "\"", k.key("input") + "=\"" + table + "\"",
        k.key("output") + "=\"" + output + "\"", k.key("format") + "=text", k.key("batch-size") + "=" + s.batch(),
        k.key("max-seq-length") + "=" + s.seqLength(), k.key("output-kind") + "=probabilities",
        k.key("split-size") + "=1g", EngineChoice.KEY + "=" + s.engine().key())));
    return InferPipeline.run(spark, settings);
  }

  /** BERT's special tokens, then made-up words: each one WordPiece, so a row of n words is n tokens. */
  static List<String> vocab(int size) {
    List<String> v = new ArrayList<>(Vocab.SPECIAL_TOKENS);
    for (int i = v.size(); i < size; i++) v.add("w" + i);
    return v;
  }

  private static void saveIfAbsent(Path dir, BertConfig config, Heads heads, List<String> vocab, long seed,
      Configuration conf) {
    if (HadoopIO.exists(new Path(dir, HfCheckpoint.CONFIG_FILE), conf)) return;
    LOG.info("bench infer: writing a random {} to {}", describe(config), dir);
    HfCheckpoint.save(dir, config, DistillBenchmark.randomModel(config, heads, seed).params(), vocab, true, conf);
  }

  /** {@code parts} text files of rows of random words, each row longer than the sequence length. */
  private static void writeTableIfAbsent(Path table, List<String> vocab, InferBenchSettings s, Configuration conf)
      throws IOException {
    if (HadoopIO.exists(table, conf)) return;
    Random rnd = new Random(s.seed());
    FileSystem fs = HadoopIO.fs(table, conf);
    Path tmp = new Path(table.getParent(), "." + table.getName() + ".tmp");
    fs.delete(tmp, true);
    int special = Vocab.SPECIAL_TOKENS.size();
    for (int p = 0; p < s.parts(); p++) {
      try (Writer w = new OutputStreamWriter(fs.create(new Path(tmp, String.format("part-%05d.txt", p))),
          StandardCharsets.UTF_8)) {
        for (int r = p; r < s.rows(); r += s.parts()) {
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < s.seqLength() + 8; i++) {
            b.append(i == 0 ? "" : " ").append(vocab.get(special + rnd.nextInt(vocab.size() - special)));
          }
          w.write(b.append('\n').toString());
        }
      }
    }
    if (!fs.rename(tmp, table)) throw new IOException("cannot rename " + tmp + " to " + table);
  }

  /** CPU time of the whole process (all threads: Spark's, the tasks', ND4J's). */
  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }

  private static double cpuRate(int examples, Object cpuSeconds) {
    return round4(examples / ((Number) cpuSeconds).doubleValue());
  }

  private static double median(List<Map<String, Object>> rounds, String key) {
    double[] v = rounds.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).sorted().toArray();
    int n = v.length;
    return round4(n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
  }

  private static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  /** Layers, hidden size, heads and feed-forward size. */
  private static Map<String, Integer> describe(BertConfig c) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("layers", c.numHiddenLayers());
    m.put("hidden_size", c.hiddenSize());
    m.put("heads", c.numAttentionHeads());
    m.put("intermediate_size", c.intermediateSize());
    return m;
  }

  /** The result as the one JSON line the command prints. */
  public static String toJson(Map<String, Object> result) {
    try {
      return JSON.writeValueAsString(result);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
