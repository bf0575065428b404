package org.tinybert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tinybert.augment.Augmenter;
import org.tinybert.augment.GloveNeighbours;
import org.tinybert.augment.GloveVectors;
import org.tinybert.augment.MaskedLm;
import org.tinybert.augment.MaskedLmCandidates;
import org.tinybert.augment.Replacer;
import org.tinybert.augment.RowAugmenter;
import org.tinybert.augment.SentencePlan;
import org.tinybert.augment.StopWords;
import org.tinybert.config.AugmentBenchSettings;
import org.tinybert.config.BenchModel;
import org.tinybert.io.HadoopIO;
import org.tinybert.model.core.ArrayPool;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.BertConfig;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.Engine;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * {@code tinybert bench augment}: the same sentences augmented twice in one run, by the job's batched path
 * ({@link RowAugmenter} with masked inputs batched across words and sentences and GloVe queries batched into matrix
 * products) and by the straightforward method of the reference (one masked-LM forward pass per word, one GloVe scan
 * per word), with a BERT-base-sized masked LM of random weights and random GloVe vectors.
 *
 * <p>Random weights propose random words, but the work is the real one: the same shapes, the same number of forward
 * passes. The vocabulary is synthetic (BERT's layout: {@code [PAD]} 0, {@code [UNK]} 100 ... {@code [MASK]} 103,
 * stop words, {@code ##} syllables, three-syllable words), so sentences of chosen length have both single-piece
 * words (masked LM) and two-piece words (GloVe).
 */
public final class AugmentBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONSONANTS = "bcdfghjklmnprstvz";
  private static final String VOWELS = "aeiou";
  private static final String[] PUNCTUATION = {".", ",", ";", "!", "?"};

  private AugmentBenchmark() {}

  /** What one run measured; {@link #toJson} is the line the command prints. */
  public record Result(String model, int threads, int sentences, int words, int batchSize, int rounds,
      long mlmWords, long gloveWords, long batchedForwards, long straightforwardForwards, double batchedSeconds,
      double straightforwardSeconds, double batchedSentencesPerSecond, double straightforwardSentencesPerSecond,
      double speedup, List<Double> roundSpeedups, double mlmGflopsBatched, double mlmGflopsStraightforward, double gemmGflops,
      double flopEfficiency, double paddingFraction, boolean sameOutput, double loadAverage,
      double batchedCpuSeconds, double straightforwardCpuSeconds, double gemmGflopsPerCpuSecond,
      double flopEfficiencyCpu, Map<String, Object> engine) {

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bench", "augment");
      m.put("model", model);
      m.put("threads", threads);
      m.put("sentences", sentences);
      m.put("words_per_sentence", words);
      m.put("batch_size", batchSize);
      m.put("rounds", rounds);
      m.put("mlm_words", mlmWords);
      m.put("glove_words", gloveWords);
      m.put("batched_forwards", batchedForwards);
      m.put("straightforward_forwards", straightforwardForwards);
      m.put("batched_seconds", round(batchedSeconds));
      m.put("straightforward_seconds", round(straightforwardSeconds));
      m.put("batched_sentences_per_s", round(batchedSentencesPerSecond));
      m.put("straightforward_sentences_per_s", round(straightforwardSentencesPerSecond));
      m.put("speedup", round(speedup));
      m.put("round_speedups", roundSpeedups.stream().map(Result::round).toList());
      m.put("mlm_gflops_batched", round(mlmGflopsBatched));
      m.put("mlm_gflops_straightforward", round(mlmGflopsStraightforward));
      m.put("gemm_gflops", round(gemmGflops));
      m.put("flop_efficiency", round(flopEfficiency));
      m.put("padding_fraction", round(paddingFraction));
      m.put("same_output", sameOutput);
      m.put("load_average", loadAverage);
      m.put("batched_cpu_seconds", round(batchedCpuSeconds));
      m.put("straightforward_cpu_seconds", round(straightforwardCpuSeconds));
      m.put("cpu_speedup", round(straightforwardCpuSeconds / batchedCpuSeconds));
      m.put("gemm_gflops_per_cpu_s", round(gemmGflopsPerCpuSecond));
      m.put("flop_efficiency_cpu", round(flopEfficiencyCpu));
      m.put("engine", engine);
      return m;
    }

    public String toJson() {
      try {
        return JSON.writeValueAsString(toMap());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private static double round(double x) {
      return Math.round(x * 1000) / 1000.0;
    }
  }

  /** Runs the benchmark; writes the workload file when the settings name one. */
  public static Result run(AugmentBenchSettings s) throws IOException {
    BertConfig config = config(s.model());
    Engine engine = s.engine().resolve();
    Random random = new Random(s.seed());
    List<String> words = new ArrayList<>();
    Vocab vocab = syntheticVocab(config.vocabSize(), random, words);
    MaskedLm lm = new MaskedLm(new BertModel(config, randomWeights(config, s.seed()), engine),
        new BertTokenizer(vocab, true), "random " + s.model().key());
    Set<String> multiPiece = new LinkedHashSet<>();
    List<RowAugmenter.Row> rows = new ArrayList<>();
    for (int i = 0; i < s.sentences(); i++) {
      rows.add(new RowAugmenter.Row(i + 2, sentence(words, s.words(), random, multiPiece) + "\t1"));
    }
    GloveVectors glove = randomGlove(multiPiece, words, s.gloveWords(), s.gloveDim(), random);
    int[] column = {0};

    // Warm-up (JIT, BLAS threads) on two sentences, then each method once on all of them.
    List<RowAugmenter.Row> warm = rows.subList(0, Math.min(2, rows.size()));
    augmenter(lm, glove, s).augment(warm, true);
    augmenter(lm, glove, s).augment(warm, false);

    // The paths alternate, A B A B, for s.rounds() rounds, and each total is summed over the rounds: these machines
    // are shared, and their speed drifts by tens of percent over a minute, so one path timed after the other would
    // compare two machines. The matrix-product rate is sampled right before and right after each batched run, so
    // that the two rates compared in flop_efficiency see the same conditions. Each run starts with an empty array
    // pool, as a fresh task would, and a fresh GloVe cache.
    List<double[]> gemm = new ArrayList<>();
    double batchedSeconds = 0;
    double oneSeconds = 0;
    double batchedCpu = 0;
    double oneCpu = 0;
    long batchedNanos = 0;
    long batchedFlops = 0;
    long oneNanos = 0;
    long oneFlops = 0;
    List<Double> roundSpeedups = new ArrayList<>();
    boolean same = true;
    List<RowAugmenter.OutputRow> first = null;
    Augmenter batchedCandidates = null;
    MaskedLmCandidates.Stats b = null;
    MaskedLmCandidates.Stats o = null;
    for (int round = 0; round < s.rounds(); round++) {
      gemm.addAll(gemmGflops(3, engine));
      ArrayPool.local().clear();
      batchedCandidates = new Augmenter(new MaskedLmCandidates(lm, s.topK(), s.batchSize(), 512),
          new GloveNeighbours(glove, s.topK(), 128, engine));
      RowAugmenter batched = new RowAugmenter(batchedCandidates, new Replacer(0.4, s.variants()), column, s.seed());
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      List<RowAugmenter.OutputRow> fast = batched.augment(rows, true);
      double bs = (System.nanoTime() - t0) / 1e9;
      batchedCpu += (cpuNanos() - c0) / 1e9;
      gemm.addAll(gemmGflops(3, engine));

      ArrayPool.local().clear();
      Augmenter oneCandidates = new Augmenter(new MaskedLmCandidates(lm, s.topK(), 1, 512),
          new GloveNeighbours(glove, s.topK(), 1, engine));
      RowAugmenter one = new RowAugmenter(oneCandidates, new Replacer(0.4, s.variants()), column, s.seed());
      t0 = System.nanoTime();
      c0 = cpuNanos();
      List<RowAugmenter.OutputRow> slow = one.augment(rows, false);
      double os = (System.nanoTime() - t0) / 1e9;
      oneCpu += (cpuNanos() - c0) / 1e9;

      batchedSeconds += bs;
      oneSeconds += os;
      roundSpeedups.add(os / bs);
      if (first == null) first = fast;
      same &= fast.equals(slow) && fast.equals(first);
      b = batchedCandidates.maskedLm().stats();
      o = oneCandidates.maskedLm().stats();
      batchedNanos += b.nanos();
      batchedFlops += b.usefulFlops();
      oneNanos += o.nanos();
      oneFlops += o.usefulFlops();
    }

    double gemmRate = median(gemm.stream().map(g -> g[0]).toList());
    double gemmCpuRate = median(gemm.stream().map(g -> g[1]).toList());
    double gflopsBatched = batchedFlops / (double) batchedNanos;
    double gflopsOne = oneFlops / (double) oneNanos;
    // Per CPU second, the batched path's FLOPs (GloVe and tokenizing included, so a lower bound) against GEMM's.
    double cpuEfficiency = batchedFlops / 1e9 / batchedCpu / gemmCpuRate;
    double n = s.rounds();
    Result r = new Result(s.model().key(), Runtime.getRuntime().availableProcessors(), s.sentences(), s.words(),
        s.batchSize(), s.rounds(), batchedCandidates.mlmWords(), batchedCandidates.gloveWords(), b.forwards(),
        o.forwards(), batchedSeconds / n, oneSeconds / n, s.sentences() * n / batchedSeconds,
        s.sentences() * n / oneSeconds, oneSeconds / batchedSeconds, List.copyOf(roundSpeedups), gflopsBatched,
        gflopsOne, gemmRate, gflopsBatched / gemmRate, 1 - b.realTokens() / (double) Math.max(1, b.paddedTokens()),
        same, loadAverage(), batchedCpu / n, oneCpu / n, gemmCpuRate, cpuEfficiency, s.engine().describe());
    if (s.workload() != null) writeWorkload(s, config, lm, batchedCandidates, rows, r);
    return r;
  }

  private static RowAugmenter augmenter(MaskedLm lm, GloveVectors glove, AugmentBenchSettings s) {
    return new RowAugmenter(new Augmenter(new MaskedLmCandidates(lm, s.topK(), s.batchSize(), 512),
        new GloveNeighbours(glove, s.topK(), 128, lm.model().engine())), new Replacer(0.4, s.variants()),
        new int[] {0}, s.seed());
  }

  /** BERT-base ({@code base}) or a small model with the same structure ({@code tiny}). */
  static BertConfig config(BenchModel model) {
    return switch (model) {
      case BASE -> new BertConfig(30522, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0, 2, 0, 0.02, null);
      case TINY -> new BertConfig(3000, 64, 2, 4, 128, "gelu", 128, 2, 1e-12, 0, 2, 0, 0.02, null);
    };
  }

  /** BERT's initialisation: weights N(0, 0.02), biases 0, LayerNorm gain 1; masked-LM head tied to the embeddings. */
  static Map<String, INDArray> randomWeights(BertConfig c, long seed) {
    Nd4j.getRandom().setSeed(seed);
    Map<String, INDArray> w = new LinkedHashMap<>();
    Heads heads = Heads.ENCODER_ONLY.withMlm(true, false);
    for (Map.Entry<String, long[]> e : HfNames.expectedShapes(c, heads).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      INDArray a;
      if (name.contains("LayerNorm") && name.endsWith(".weight")) a = Nd4j.ones(DataType.FLOAT, shape);
      else if (shape.length == 1) a = Nd4j.zeros(DataType.FLOAT, shape);
      else a = Nd4j.randn(DataType.FLOAT, shape).muli(c.initializerRange());
      w.put(name, a);
    }
    return w;
  }

  private static String syllable(int i) {
    return "" + CONSONANTS.charAt(i / VOWELS.length()) + VOWELS.charAt(i % VOWELS.length());
  }

  private static int syllables() {
    return CONSONANTS.length() * VOWELS.length();
  }

  /** A vocabulary in BERT's layout; {@code words} receives its three-syllable words. */
  static Vocab syntheticVocab(int size, Random random, List<String> words) {
    List<String> t = new ArrayList<>(size);
    t.add(Vocab.PAD);
    while (t.size() < 100) t.add("[unused" + (t.size() - 1) + "]");
    t.addAll(List.of(Vocab.UNK, Vocab.CLS, Vocab.SEP, Vocab.MASK));
    while (t.size() < 999) t.add("[unused" + (t.size() - 5) + "]");
    t.addAll(List.of(PUNCTUATION));
    StopWords.ENGLISH.stream().sorted().forEach(t::add);
    int n = syllables();
    for (int i = 0; i < n; i++) t.add("##" + syllable(i));
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < n * n * n; i++) all.add(i);
    java.util.Collections.shuffle(all, random);
    for (int i = 0; t.size() < size; i++) {
      int x = all.get(i);
      String w = syllable(x / (n * n)) + syllable(x / n % n) + syllable(x % n);
      if (StopWords.ENGLISH.contains(w)) continue;
      t.add(w);
      words.add(w);
    }
    return Vocab.of(t, "synthetic BERT vocabulary");
  }

  /**
   * One sentence of {@code n} words: about 15% stop words, 10% punctuation, 55% words of one piece and 20% of two
   * pieces (a vocabulary word and a {@code ##} syllable), whose text goes to {@code multiPiece}.
   */
  static String sentence(List<String> words, int n, Random random, Set<String> multiPiece) {
    List<String> alpha = StopWords.ENGLISH.stream().filter(w -> w.chars().allMatch(Character::isLetter)).sorted()
        .toList();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double r = random.nextDouble();
      String w;
      if (r < 0.15) w = alpha.get(random.nextInt(alpha.size()));
      else if (r < 0.25) w = PUNCTUATION[random.nextInt(PUNCTUATION.length)];
      else if (r < 0.80) w = words.get(random.nextInt(words.size()));
      else {
        w = words.get(random.nextInt(words.size())) + syllable(random.nextInt(syllables()));
        multiPiece.add(w);
      }
      if (i > 0) b.append(' ');
      b.append(w);
    }
    return b.toString();
  }

  /** {@code size} words (the sentences' multi-piece words first) with random vectors. */
  static GloveVectors randomGlove(Set<String> multiPiece, List<String> words, int size, int dim, Random random) {
    LinkedHashSet<String> vocab = new LinkedHashSet<>(multiPiece);
    for (int i = 0; vocab.size() < size && i < words.size(); i++) vocab.add(words.get(i));
    int n = syllables();
    Set<String> known = new HashSet<>(vocab);
    for (long x = 0; vocab.size() < size; x++) {
      String w = syllable((int) (x / (n * n * n) % n)) + syllable((int) (x / (n * n) % n)) + syllable((int) (x / n % n))
          + syllable((int) (x % n));
      if (known.add(w)) vocab.add(w);
    }
    float[] v = new float[size * dim];
    for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
    return new GloveVectors("random GloVe", vocab.toArray(new String[0]), dim, v, 0, List.of());
  }

  /**
   * {@code n} [2048, 768] x [768, 3072] products (BERT-base's intermediate layer on 2,048 tokens) through the call the
   * model makes (its engine's linear layer: OpenBLAS on the CPU engine) into a preallocated result: each one's GFLOP
   * per second of wall time and per second of CPU time. A product into a fresh array (as {@code Nd4j.gemm(a, b, ...)} makes) measured about a fifth slower here,
   * the page faults of its 25 MB result included, which would flatter flop_efficiency.
   */
  static List<double[]> gemmGflops(int n, Engine engine) {
    INDArray a = Nd4j.rand(DataType.FLOAT, 2048, 768);
    INDArray w = Nd4j.rand(DataType.FLOAT, 3072, 768);
    INDArray c = Nd4j.create(DataType.FLOAT, 2048, 3072);
    double flops = 2.0 * 2048 * 768 * 3072;
    engine.linear(a, w, null, c);
    List<double[]> rates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      engine.linear(a, w, null, c);
      rates.add(new double[] {flops / (System.nanoTime() - t0), flops / (cpuNanos() - c0)});
    }
    return rates;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    java.util.Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /**
   * CPU time of this process (every thread, native BLAS ones included): on a shared machine it tracks the work done
   * better than wall time does.
   */
  static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
  }

  /** The 1-minute load average, where the system tells it; -1 otherwise. */
  static double loadAverage() {
    try {
      return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The masked-LM inputs (length, mask position) and GloVe queries, for the PyTorch reference's timing. */
  private static void writeWorkload(AugmentBenchSettings s, BertConfig config, MaskedLm lm, Augmenter augmenter,
      List<RowAugmenter.Row> rows, Result r) throws IOException {
    MaskedLmCandidates m = new MaskedLmCandidates(lm, s.topK(), 1, 512);
    List<int[]> inputs = new ArrayList<>();
    int glove = 0;
    for (RowAugmenter.Row row : rows) {
      SentencePlan p = augmenter.plan(row.text().split("\t")[0]);
      for (SentencePlan.Word w : p.words()) {
        if (w.source() == SentencePlan.Source.GLOVE) {
          glove++;
          continue;
        }
        MaskedLmCandidates.Encoded e = m.encode(new MaskedLmCandidates.Query(p.pieces(), w.firstPiece()));
        if (e != null) inputs.add(new int[] {e.length(), e.mask()});
      }
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("config", JSON.readTree(config.toJson()));
    o.put("sentences", s.sentences());
    o.put("top_k", s.topK());
    o.put("mlm_inputs", inputs);
    o.put("glove_queries", glove);
    o.put("glove_words", s.gloveWords());
    o.put("glove_dim", s.gloveDim());
    o.put("java", r.toMap());
    HadoopIO.writeAtomically(s.workload(), new Configuration(),
        JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8));
  }
}
