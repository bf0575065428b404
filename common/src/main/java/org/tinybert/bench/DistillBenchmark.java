package org.tinybert.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.tinybert.config.ClipMode;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.distill.BertAdam;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.Engine;

/**
 * The speed benchmarks of issue 3, with random weights in fp32 (values do not change the work): one general
 * distillation step (BERT-base teacher forward, TinyBERT4 student forward and backward with the attention, embedding
 * and hidden losses, BertAdam update) through the same DL4J {@code fit} call training makes, and inference of teacher
 * and student. Results are medians after warm-up; the PyTorch anchor is {@code reference/bench_torch.py}.
 */
public final class DistillBenchmark {
  /** The key the benchmark's random teacher is registered under in {@link ExecutorRuntime}. */
  static final String TEACHER_KEY = "benchmark:random-bert-base";

  private DistillBenchmark() {}

  /**
   * What to run.
   *
   * @param batch minibatch size B
   * @param seqLength sequence length L
   * @param steps timed repetitions (the median is reported)
   * @param warmup untimed repetitions first (JIT compilation, first-touch allocations)
   * @param seed seed of weights and batch
   * @param engine {@code tinybert.engine}: what computes
   */
  public record Settings(int batch, int seqLength, int steps, int warmup, long seed, EngineChoice engine) {
    public Settings {
      if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, found " + batch);
      if (seqLength < 2) throw new IllegalArgumentException("seq-length must be >= 2, found " + seqLength);
      if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, found " + steps);
      if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, found " + warmup);
    }

    /** On the {@code auto} engine. */
    public Settings(int batch, int seqLength, int steps, int warmup, long seed) {
      this(batch, seqLength, steps, warmup, seed, EngineChoice.AUTO);
    }
  }

  /** BERT-base (the teacher of general distillation): 12 layers, hidden 768, 12 heads, FFN 3072, vocab 30522. */
  public static BertConfig bertBase() {
    return new BertConfig(30522, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0, 2, 0, 0.02, null);
  }

  /** The TinyBERT4 student of general distillation: pooler, shared fit_dense to the teacher's width. */
  public static StudentSpec tinyBert4Student(BertConfig teacher) {
    return new StudentSpec(BertConfig.tinyBert4(teacher).withNumLabels(1),
        new Heads(true, 0, false, false, Heads.Fit.SHARED, teacher.hiddenSize()));
  }

  /** One timed general-distillation step per repetition (BERT-base teacher, TinyBERT4 student). */
  public static Map<String, Object> distillStep(Settings s) {
    BertConfig teacher = bertBase();
    return distillStep(s, teacher, tinyBert4Student(teacher));
  }

  /** One timed general-distillation step per repetition; seconds_per_step is the median. */
  public static Map<String, Object> distillStep(Settings s, BertConfig teacherConfig, StudentSpec student) {
    ExecutorRuntime.register(TEACHER_KEY, randomModel(teacherConfig,
        new Heads(true, 0, false, false, Heads.Fit.NONE, 0), s.seed()).frozen());
    DistillationLayer layer = new DistillationLayer(student, TEACHER_KEY, LayerMappingSetting.UNIFORM,
        LossWeights.intermediate(), BertAdam.bertAdam(1e-4, null), 0.01, ClipMode.PER_TENSOR, 1.0, s.seed(),
        s.seqLength()).withEngine(s.engine());
    ComputationGraph graph = DistillationGraph.create(layer, s.seed());
    BertBatch batch = randomBatch(s.batch(), s.seqLength(), teacherConfig.vocabSize(), s.seed());
    MultiDataSet data = new MultiDataSet(BatchEncoding.features(batch),
        BatchEncoding.labels(new float[s.batch()]));

    double[][] seconds;
    double finalLoss;
    long ops;
    MemoryPeak peak = new MemoryPeak();
    try {
      seconds = time(s, () -> graph.fit(data));
      finalLoss = graph.score();
      // One more step, untimed, to count its ND4J operations (after the loss is read, which it would change).
      ops = nd4jOps(() -> graph.fit(data));
    } finally {
      peak.stop();
      ExecutorRuntime.remove(TEACHER_KEY);
    }
    double median = median(seconds[0]);
    Map<String, Object> out = header("distill-step", s);
    out.put("teacher", describe(teacherConfig));
    out.put("student", describe(student.config()) + " + fit_dense " + student.config().hiddenSize() + "->"
        + teacherConfig.hiddenSize());
    out.put("losses", "attention + embedding + hidden");
    out.put("optimizer", "BertAdam (per-tensor clip 1.0, weight decay 0.01)");
    out.put("seconds_per_step", round(median));
    out.put("examples_per_second", round(s.batch() / median));
    out.put("step_seconds", roundAll(seconds[0]));
    out.put("cpu_seconds_per_step", round(median(seconds[1])));
    out.put("nd4j_ops_per_step", ops);
    out.put("final_loss", round(finalLoss));
    peak.into(out);
    return out;
  }

  /** Teacher (BERT-base) and student (TinyBERT4) forward passes; their ratio is the inference speed-up. */
  public static Map<String, Object> inference(Settings s) {
    BertConfig teacher = bertBase();
    return inference(s, teacher, tinyBert4Student(teacher));
  }

  /** Teacher and student forward passes (no activations kept); their ratio is the inference speed-up. */
  public static Map<String, Object> inference(Settings s, BertConfig teacherConfig, StudentSpec spec) {
    Engine engine = s.engine().resolve();
    BertModel teacher = randomModel(teacherConfig, new Heads(true, 0, false, false, Heads.Fit.NONE, 0), s.seed())
        .frozen().withEngine(engine);
    BertModel student = randomModel(spec.config(), spec.heads().withFit(Heads.Fit.NONE, 0), s.seed() + 1).frozen()
        .withEngine(engine);
    BertBatch batch = randomBatch(s.batch(), s.seqLength(), teacherConfig.vocabSize(), s.seed());
    MemoryPeak peak = new MemoryPeak();
    double[][] t;
    double[][] st;
    long teacherOps;
    long studentOps;
    try {
      t = time(s, () -> teacher.forward(batch, false, false).release());
      st = time(s, () -> student.forward(batch, false, false).release());
      teacherOps = nd4jOps(() -> teacher.forward(batch, false, false).release());
      studentOps = nd4jOps(() -> student.forward(batch, false, false).release());
    } finally {
      peak.stop();
    }
    double tm = median(t[0]);
    double sm = median(st[0]);
    Map<String, Object> out = header("inference", s);
    out.put("teacher", describe(teacherConfig));
    out.put("student", describe(spec.config()));
    out.put("teacher_seconds", round(tm));
    out.put("student_seconds", round(sm));
    out.put("teacher_examples_per_second", round(s.batch() / tm));
    out.put("student_examples_per_second", round(s.batch() / sm));
    out.put("speedup", round(tm / sm));
    out.put("teacher_all_seconds", roundAll(t[0]));
    out.put("student_all_seconds", roundAll(st[0]));
    out.put("teacher_cpu_seconds", round(median(t[1])));
    out.put("student_cpu_seconds", round(median(st[1])));
    out.put("teacher_nd4j_ops", teacherOps);
    out.put("student_nd4j_ops", studentOps);
    peak.into(out);
    return out;
  }

  // ---------------------------------------------------------------------------------------------- inputs

  /**
   * BERT's shapes with random values: weights N(0, 0.02), biases 0, LayerNorm gain 1. ND4J's generator, not
   * {@link StudentSpec#initialise}: a teacher has 110M values and the exact distribution does not matter here.
   */
  public static BertModel randomModel(BertConfig config, Heads heads, long seed) {
    Nd4j.getRandom().setSeed(seed);
    Map<String, INDArray> p = new LinkedHashMap<>();
    HfNames.expectedShapes(config, heads).forEach((name, shape) -> {
      INDArray a;
      if (name.contains("LayerNorm") && name.endsWith(".weight")) {
        a = Nd4j.ones(DataType.FLOAT, shape);
      } else if (name.endsWith(".bias")) {
        a = Nd4j.zeros(DataType.FLOAT, shape);
      } else {
        a = Nd4j.randn(DataType.FLOAT, shape).muli(config.initializerRange());
      }
      p.put(name, a);
    });
    return new BertModel(config, p);
  }

  /**
   * Random token ids (never [PAD]), segment 0 then 1 at half length, and padding: each sequence keeps a random length
   * in [L/2, L], the first one all of it, so the mask matters as it does on real data.
   */
  public static BertBatch randomBatch(int b, int l, int vocab, long seed) {
    Random rnd = new Random(seed);
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      int len = i == 0 ? l : l / 2 + rnd.nextInt(l - l / 2 + 1);
      for (int t = 0; t < l; t++) {
        ids[i * l + t] = 1 + rnd.nextInt(vocab - 1);
        seg[i * l + t] = t < l / 2 ? 0 : 1;
        mask[i * l + t] = t < len ? 1 : 0;
      }
    }
    return new BertBatch(b, l, ids, seg, mask);
  }

  // ---------------------------------------------------------------------------------------------- timing

  /** Wall-clock seconds, then process CPU seconds (all threads), of each timed repetition. */
  private static double[][] time(Settings s, Runnable body) {
    for (int i = 0; i < s.warmup(); i++) body.run();
    double[][] seconds = new double[2][s.steps()];
    for (int i = 0; i < s.steps(); i++) {
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      body.run();
      seconds[0][i] = (System.nanoTime() - t0) / 1e9;
      seconds[1][i] = (cpuNanos() - c0) / 1e9;
    }
    return seconds;
  }

  /** CPU time of the whole process: on a shared machine it says how much work a step was when wall time cannot. */
  private static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int n = c.length;
    return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  }

  /**
   * The ND4J operations one run of {@code body} executes (element-wise and reduction ops, custom ops, matrix
   * products), as ND4J's own profiler counts them; run untimed, since profiling slows every op down.
   */
  public static long nd4jOps(Runnable body) {
    OpExecutioner executioner = Nd4j.getExecutioner();
    OpExecutioner.ProfilingMode before = executioner.getProfilingMode();
    OpProfiler.getInstance().reset();
    executioner.setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
    try {
      body.run();
    } finally {
      executioner.setProfilingMode(before);
    }
    return OpProfiler.getInstance().getInvocationsCount();
  }

  private static Map<String, Object> header(String name, Settings s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("benchmark", name);
    out.put("engine", s.engine().describe());
    out.put("batch", s.batch());
    out.put("seq_length", s.seqLength());
    out.put("steps", s.steps());
    out.put("warmup", s.warmup());
    out.put("dtype", "float32");
    out.put("threads", Runtime.getRuntime().availableProcessors());
    out.put("omp_wait_policy", System.getenv("OMP_WAIT_POLICY"));
    return out;
  }

  /** "12L/768/12h/3072": layers, hidden size, heads, intermediate size. */
  static String describe(BertConfig c) {
    return c.numHiddenLayers() + "L/" + c.hiddenSize() + "/" + c.numAttentionHeads() + "h/" + c.intermediateSize();
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  private static List<Double> roundAll(double[] v) {
    List<Double> out = new ArrayList<>();
    for (double d : v) out.add(round(d));
    return out;
  }

  /**
   * Peak memory sampled every 10 ms while a benchmark runs: the Java heap in use, ND4J's off-heap memory (its memory
   * manager's count: JavaCPP allocations plus tracked array buffers) and the process's resident set, which includes
   * both and every native buffer ND4J does not count.
   */
  static final class MemoryPeak {
    private final AtomicLong heap = new AtomicLong();
    private final AtomicLong offHeap = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong rss = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    MemoryPeak() {
      sample();
      sampler = new Thread(() -> {
        while (running) {
          sample();
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "benchmark-memory");
      sampler.setDaemon(true);
      sampler.start();
    }

    private void sample() {
      long h = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long o = Nd4j.getMemoryManager().allocatedMemory(0);
      heap.accumulateAndGet(h, Math::max);
      offHeap.accumulateAndGet(o, Math::max);
      total.accumulateAndGet(h + o, Math::max);
      rss.accumulateAndGet(Pointer.physicalBytes(), Math::max);
    }

    void stop() {
      running = false;
      sampler.interrupt();
      try {
        sampler.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sample();
    }

    void into(Map<String, Object> out) {
      out.put("peak_memory_bytes", total.get());
      out.put("peak_heap_bytes", heap.get());
      out.put("peak_offheap_bytes", offHeap.get());
      out.put("peak_rss_bytes", rss.get());
    }
  }
}
