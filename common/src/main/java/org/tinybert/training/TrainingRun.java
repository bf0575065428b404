package org.tinybert.training;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.TrainingSettings;
import org.tinybert.corpus.MinibatchExport;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.io.CheckpointStore;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.OutputHold;
import org.tinybert.io.RunLog;
import org.tinybert.io.TrainingState;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.run.MetricsRound;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunManifest;

/**
 * One training run of a student in a {@link org.tinybert.distill.DistillationLayer}, data-parallel with parameter
 * averaging, written once for every job that trains: the plan and its step count, the latest intact checkpoint or a
 * new graph, {@code manifest.json}, one {@code metrics.jsonl} record per averaging round (with the probe batch's
 * losses), checkpoints, and the final model. A rerun of the same output continues from its last checkpoint; a finished
 * one trains nothing.
 *
 * <p>What differs between jobs is a handful of named pieces: the data ({@link #batchesPerEpoch}, {@link #export}),
 * the graph and its losses ({@link #newGraph}), what is saved ({@link #save}), what the manifest records
 * ({@link #manifest}), and what is measured or scored after a round ({@link #probe}, {@link #score},
 * {@link #finish}).
 */
public abstract class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
      .addSerializer(Path.class, new ToStringSerializer())
      .addSerializer(Optional.class, new OptionalSerializer()));

  /**
   * What a run did.
   *
   * @param model the final model's directory
   * @param curve (round, loss) pairs, one per round this output has trained: the probe batch's total loss where there
   *     is a probe, the round's training loss otherwise
   */
  public record Outcome(String runId, Path model, long rounds, long examples, boolean resumed,
      boolean alreadyFinished, List<double[]> curve) {}

  protected final String job;
  protected final Path output;
  protected final TrainingSettings training;
  /** The Hadoop configuration of the session {@link #run} was given; null before. */
  protected Configuration conf;
  /** The split of the work {@link #run} follows (the workers resolved); null before. */
  protected ParameterAveragingTrainer.Plan plan;
  private UnaryOperator<MultiDataSetLoader> loaderHook = UnaryOperator.identity();
  /** The hold on the output while {@link #run} runs: a job's ({@link #withHold}) or the run's own. */
  private OutputHold hold;

  /**
   * @param job the job's name in logs, Spark's job descriptions and manifest.json (e.g. {@code task-distill
   *     intermediate})
   * @param output the run's directory: checkpoints, metrics.jsonl, manifest.json and the models
   */
  protected TrainingRun(String job, Path output, TrainingSettings training) {
    this.job = job;
    this.output = output;
    this.training = training;
  }

  /** Wraps the executors' minibatch loader (tests inject executor failures through it). */
  public TrainingRun withLoaderHook(UnaryOperator<MultiDataSetLoader> hook) {
    this.loaderHook = hook;
    return this;
  }

  /**
   * Runs under {@code hold}, which the job took on {@link #output} or a directory above it (for what it writes before
   * the run, or for several runs) and releases itself; without one, {@link #run} takes its own.
   */
  public TrainingRun withHold(OutputHold hold) {
    this.hold = hold;
    return this;
  }

  /** Throws unless the run still holds its output: called before each commit ({@link OutputHold#check}). */
  protected void checkHold() {
    if (hold != null) hold.check();
  }

  // ---- the pieces a job gives ----

  /** The minibatches one epoch holds, the last one partial where the examples do not divide. */
  protected abstract long batchesPerEpoch();

  /** Where the minibatches come from, for the error a too small data set gets (e.g. "the corpus gives 40 ..."). */
  protected abstract String describeData();

  /** One epoch's minibatch files (asked once per epoch, when it is reached). */
  protected abstract MinibatchExport export(int epoch) throws IOException;

  /** The graph of a run that has no checkpoint to continue from; {@code totalSteps} sizes its learning-rate schedule. */
  protected abstract ComputationGraph newGraph(long totalSteps);

  /** Writes the student of {@code g} to {@code dir} as a Hugging Face directory. */
  protected abstract void save(ComputationGraph g, Path dir);

  /** The directory under {@link #output} the final model goes to. */
  protected abstract String modelName();

  /** The job's own fields of manifest.json, in their order: its inputs, settings and model sizes. */
  protected abstract Map<String, Object> manifest();

  /**
   * The fixed batch whose losses are recorded after every round, or null for none. Asked once, before the first round
   * of a run that trains; {@code first} is the first epoch this run trains.
   */
  protected ProbeLosses probe(MinibatchExport first) throws IOException {
    return null;
  }

  /**
   * What a scoring after a round found, for its metrics record and its log line.
   *
   * @param dev the metrics by name
   * @param newBest whether they became the best kept
   * @param line the log line's part
   */
  protected record Scoring(Map<String, Double> dev, boolean newBest, String line) {}

  /** Scores the student after a round (e.g. on dev), or does nothing and returns empty. */
  protected Optional<Scoring> score(ComputationGraph g, ParameterAveragingTrainer.Round round) throws IOException {
    return Optional.empty();
  }

  /** After the final model is saved: the job's last outputs and manifest fields. */
  protected void finish(ComputationGraph g, TrainingState state, Path model, RunManifest manifest)
      throws IOException {
    manifest.put(RunManifest.FINAL_MODEL, model.toString());
  }

  // ---- the run ----

  public final Outcome run(SparkSession spark) throws IOException {
    // One run per output: a second run stops here, before it changes anything.
    OutputHold own = hold == null ? OutputHold.take(spark.sparkContext(), output, training.holdStaleAfter()) : null;
    if (own != null) hold = own;
    try {
      return train(spark);
    } finally {
      if (own != null) {
        own.close();
        hold = null;
      }
    }
  }

  private Outcome train(SparkSession spark) throws IOException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LOG.info("{} run {}: engine {} (executors resolve {} on their own backend)", job, runId,
        training.engine().describe(), training.engine());

    plan = planFor(jsc);
    long batches = batchesPerEpoch();
    if (batches == 0) {
      throw new InputException(job + ": " + describeData() + ", fewer than one minibatch of " + plan.batchSize());
    }
    CheckpointStore store = new CheckpointStore(output, conf, training.keepCheckpoints()).guardedBy(hold);
    Optional<CheckpointStore.Restored> last = store.restoreLatest();
    ComputationGraph graph;
    TrainingState state;
    if (last.isPresent()) {
      graph = last.get().graph();
      state = last.get().checkpoint().state();
      LOG.info("{}: resuming from {} (round {}, epoch {}, {} examples seen)", job, last.get().checkpoint().dir(),
          state.round(), state.epoch() + 1, state.examples());
    } else {
      graph = newGraph(plan.totalSteps(batches));
      state = TrainingState.start();
    }
    boolean alreadyFinished = state.finished();

    RunLog log = new RunLog(output, conf, state.round()).guardedBy(hold);
    if (last.isPresent()) warnOnAnotherSparkLine(spark.version());
    RunManifest manifest = RunManifest.start(job, runId, Instant.now(), spark.sparkContext().applicationId(),
        spark.sparkContext().master(), state.round(), training.engine().describe())
        .withJobFields(manifest())
        .withRuntime(JSON.valueToTree(plan), Map.of("java", System.getProperty("java.version"), "spark",
            spark.version(), "tinybert", String.valueOf(TrainingRun.class.getPackage().getImplementationVersion())),
            ParameterAveragingTrainer.roundBytesPerWorker(graph));
    log.writeManifest(manifest);
    List<double[]> curve = new ArrayList<>();
    for (MetricsRound r : log.rounds()) {
      // A record without a training loss (none is written so) counts 0, as a missing JSON number reads.
      double loss = r.probeTotal() != null ? r.probeTotal() : r.trainLoss() != null ? r.trainLoss() : 0;
      curve.add(new double[] {r.round(), loss});
    }

    Map<Integer, MinibatchExport> exports = new LinkedHashMap<>();
    ProbeLosses probe = null;
    if (!alreadyFinished) {
      MinibatchExport first = export(state.epoch());
      exports.put(state.epoch(), first);
      probe = probe(first);
    }
    ProbeLosses probeLosses = probe;
    Path model = new Path(output, modelName());
    ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(jsc, plan, store,
        g -> dir -> save(g, new Path(dir, modelName())));
    long startNanos = System.nanoTime();
    long startExamples = state.examples();
    state = trainer.train(graph, state, epoch -> {
      MinibatchExport e = exports.computeIfAbsent(epoch, ep -> {
        try {
          return export(ep);
        } catch (IOException x) {
          throw new UncheckedIOException(x);
        }
      });
      LOG.info("{}: {}", job, e.summary());
      return new ParameterAveragingTrainer.Epoch(e.batchPaths(), loaderHook.apply(e.loader()), e::examplesAt);
    }, job + " " + runId, (g, round) -> {
      TrainingState st = round.state();
      double rate = (st.examples() - startExamples) / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
      long remainingBatches = round.totalBatches() - ((long) st.epoch() * round.batchesThisEpoch() + st.batchesDone());
      double eta = remainingBatches * plan.batchSize() / Math.max(rate, 1e-9);
      MetricsRound rec = MetricsRound.of(st.round(), st.epoch() + 1, st.steps(), st.examples(), round.score(), rate,
          round.roundSeconds(), round.stepSeconds(), round.fixedSeconds(), eta,
          DistillationGraph.layerConf(g).getUpdater().getLearningRate((int) st.steps(), 0));
      String losses = "";
      if (probeLosses != null) {
        DistillationLoss.Result p = probeLosses.measure(g);
        rec = rec.withProbe(ProbeLosses.probe(p));
        losses = ProbeLosses.describe(p);
        curve.add(new double[] {st.round(), p.total()});
      } else {
        curve.add(new double[] {st.round(), round.score()});
      }
      Optional<Scoring> scoring = score(g, round);
      if (scoring.isPresent()) rec = rec.withDev(scoring.get().dev(), scoring.get().newBest());
      String scored = scoring.map(Scoring::line).orElse("");
      log.append(rec);
      LOG.info(String.format("%s round %d | epoch %d/%d | step %d | %d examples | train loss %.4f%s%s | "
          + "%.1f examples/s | ETA %s", job, st.round(), st.epoch() + 1, plan.epochs(), st.steps(), st.examples(),
          round.score(), losses, scored, rate, duration(eta)));
    });

    checkHold();
    if (!alreadyFinished || !HadoopIO.exists(new Path(model, HfCheckpoint.CONFIG_FILE), conf)) save(graph, model);
    manifest.finished(Instant.now(), state.round(), state.examples());
    finish(graph, state, model, manifest);
    log.writeManifest(manifest);
    return new Outcome(runId, model, state.round(), state.examples(), last.isPresent(), alreadyFinished, curve);
  }

  /**
   * A run may be resumed by a build of the other Spark line (Spark 3.5 and 4 builds share the code, and a checkpoint
   * holds only ND4J arrays and the training state, so the numbers go on as they would have); it is said, not silent.
   */
  private void warnOnAnotherSparkLine(String sparkNow) throws IOException {
    Path previous = new Path(output, RunFiles.MANIFEST);
    if (!HadoopIO.exists(previous, conf)) return;
    String before = JSON.readTree(HadoopIO.readAll(previous, conf)).path("versions").path("spark").asText("");
    if (!before.isEmpty() && !line(before).equals(line(sparkNow))) {
      LOG.warn("{}: resuming a run that Spark {} trained so far with Spark {}: its checkpoints carry no Spark state, "
          + "so it continues as it would have", job, before, sparkNow);
    }
  }

  /** A Spark version's line, major.minor (4.2.0 is 4.2). */
  private static String line(String version) {
    String[] p = version.split("\\.");
    return p.length >= 2 ? p[0] + "." + p[1] : version;
  }

  /** The split of the work: {@code workers} (0 = Spark's default parallelism) and the settings' counts. */
  private ParameterAveragingTrainer.Plan planFor(JavaSparkContext jsc) {
    int workers = training.workers() > 0 ? training.workers() : jsc.defaultParallelism();
    return new ParameterAveragingTrainer.Plan(workers, training.batchSize(), training.averagingFrequency(),
        training.epochs(), training.checkpointEvery(), training.seed());
  }

  /** Settings (records with paths and optional values) as manifest JSON. */
  protected static JsonNode json(Object value) {
    return JSON.valueToTree(value);
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) return "?";
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
  }

  private static final class ToStringSerializer extends JsonSerializer<Path> {
    @Override
    public void serialize(Path value, JsonGenerator gen, SerializerProvider p) throws IOException {
      gen.writeString(value.toString());
    }
  }

  @SuppressWarnings("rawtypes")
  private static final class OptionalSerializer extends JsonSerializer<Optional> {
    @Override
    public void serialize(Optional value, JsonGenerator gen, SerializerProvider p) throws IOException {
      if (value.isPresent()) p.defaultSerializeValue(value.get(), gen); else gen.writeNull();
    }

    /** Lets {@code @JsonInclude(NON_EMPTY)} leave an absent value out instead of writing null. */
    @Override
    public boolean isEmpty(SerializerProvider p, Optional value) {
      return value == null || value.isEmpty();
    }
  }
}
