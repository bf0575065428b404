package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.SettingsLoader;
import org.tinybert.distill.DistillationLayerImpl;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.HoldLostException;
import org.tinybert.io.OutputHeldException;
import org.tinybert.io.OutputHold;
import org.tinybert.io.RunLog;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.run.RunFiles;
import org.tinybert.run.RunSchemas;
import org.tinybert.testing.Golden;
import org.tinybert.testing.LocalSpark;
import org.tinybert.testing.Tensors;

/** General distillation end to end on local[2] Spark and an in-process HDFS, with tiny models. */
class GeneralDistillJobTest {
  @TempDir static java.nio.file.Path tmp;
  static MiniDFSCluster cluster;
  static SparkSession spark;
  static String hdfs;
  static GeneralDistillJob.Summary baseline;
  static String baselineOut;
  static long baselineTeacherForwards;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem().getUri().toString();
    // local[2, 3]: a failed task is attempted up to 3 times as on a cluster (aFailedTaskIsRetriedAndNothingIsLost).
    spark = LocalSpark.builder().taskAttempts(3)
        .conf("spark.sql.codegen.wholeStage", false).conf("spark.hadoop.dfs.replication", 1)
        .start("GeneralDistillJobTest");
    // A small slice of the bundled sample corpus, gzipped on HDFS.
    List<String> lines = Files.readAllLines(java.nio.file.Path.of(System.getProperty("tinybert.root", ".."))
        .resolve("deploy/sample/corpus/sample.txt"));
    FileSystem fs = cluster.getFileSystem();
    try (OutputStream out = new GZIPOutputStream(fs.create(new Path(hdfs + "/corpus/part-0.txt.gz")))) {
      out.write(String.join("\n", lines.subList(0, 420)).getBytes(StandardCharsets.UTF_8));
    }
    baselineOut = hdfs + "/runs/baseline";
    long before = DistillationLayerImpl.teacherForwards();
    baseline = GeneralDistillJob.run(spark, settings(baselineOut));
    baselineTeacherForwards = DistillationLayerImpl.teacherForwards() - before;
  }

  @AfterAll
  static void stop() throws IOException {
    LocalSpark.stop(spark);
    if (cluster != null) cluster.shutdown();
  }

  static GeneralDistillSettings settings(String output, String... overrides) {
    List<String> sets = new ArrayList<>(List.of(
        "tinybert.general-distill.corpus=[\"" + hdfs + "/corpus\"]",
        "tinybert.general-distill.teacher=\"" + Golden.hadoopPath("teacher") + "\"",
        "tinybert.general-distill.output=\"" + output + "\"",
        "tinybert.general-distill.max-seq-length=24",
        "tinybert.general-distill.epochs=1",
        "tinybert.general-distill.batch-size=8",
        "tinybert.general-distill.averaging-frequency=1",
        "tinybert.general-distill.workers=2",
        "tinybert.general-distill.probe-examples=0",
        "tinybert.general-distill.checkpoint-every=2",
        "tinybert.general-distill.learning-rate=3e-3"));
    sets.addAll(List.of(overrides));
    Config c = SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(), sets);
    return GeneralDistillSettings.from(c);
  }

  static Map<String, INDArray> student(String output) {
    return HfCheckpoint.load(new Path(output, "student"), new Configuration()).weights();
  }

  @Test
  void runsEndToEndOnHdfsWithOneTeacherForwardPerMinibatch() throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    assertTrue(HadoopIO.exists(new Path(baselineOut, "student/model.safetensors"), conf));
    assertTrue(HadoopIO.exists(new Path(baselineOut, RunFiles.MANIFEST), conf));
    List<?> records = new RunLog(new Path(baselineOut), conf, Long.MAX_VALUE).records();
    assertEquals(baseline.rounds(), records.size(), "one metrics line per round");
    assertTrue(baseline.rounds() >= 5, "rounds: " + baseline.rounds());
    // A rerun of a finished run trains nothing and runs no teacher.
    long before = DistillationLayerImpl.teacherForwards();
    GeneralDistillJob.Summary again = GeneralDistillJob.run(spark, settings(baselineOut));
    assertTrue(again.alreadyFinished());
    assertEquals(before, DistillationLayerImpl.teacherForwards());
    // Exactly one teacher forward per minibatch trained (the probe is off in these runs).
    assertEquals((baseline.examples() + 7) / 8, baselineTeacherForwards);
    // The last rounds still learn: with averaging frequency 1 and warmup-linear, workers that restarted the schedule
    // every round (DL4J drops the step count) used a learning rate of 0 and left the student as it was.
    org.apache.hadoop.fs.FileStatus[] ckpts = new Path(baselineOut, "checkpoints").getFileSystem(conf)
        .globStatus(new Path(baselineOut, "checkpoints/ckpt-*"));
    java.util.Arrays.sort(ckpts);
    assertTrue(ckpts.length >= 2, "checkpoints kept: " + ckpts.length);
    Map<String, INDArray> earlier = HfCheckpoint.load(new Path(ckpts[0].getPath(), "student"), conf).weights();
    Map<String, INDArray> last = student(baselineOut);
    String w = "bert.encoder.layer.0.attention.self.query.weight";
    double moved = earlier.get(w).sub(last.get(w)).amaxNumber().doubleValue();
    assertTrue(moved > 1e-5, "the student changed after " + ckpts[0].getPath().getName() + ": max change " + moved);
  }

  @Test
  void aResumedRunMatchesAnUninterruptedOne() throws Exception {
    String out = hdfs + "/runs/resumed";
    // Crash (every attempt fails) while loading the 7th minibatch, in round 4: after the checkpoint at round 2.
    CrashingLoader.reset(7, Integer.MAX_VALUE);
    assertThrows(Exception.class, () -> GeneralDistillJob.run(spark, settings(out), CrashingLoader.HOOK));
    assertFalse(HadoopIO.exists(new Path(out, "student"), new Configuration()), "no final student after a crash");
    GeneralDistillJob.Summary resumed = GeneralDistillJob.run(spark, settings(out));
    assertTrue(resumed.resumed());
    assertEquals(baseline.rounds(), resumed.rounds());
    assertSameStudent(student(baselineOut), student(out));
  }

  @Test
  void aShortLastRoundTrainsEveryInstanceAndResumesToTheSameBytes() throws Exception {
    // Rounds of 2 workers x 3 minibatches of 8: the epoch's instances divide into neither, so its last minibatch is
    // partial and its last round short.
    String[] freq3 = {"tinybert.general-distill.averaging-frequency=3", "tinybert.general-distill.checkpoint-every=1"};
    long batches = (baseline.instances() + 7) / 8;
    assertTrue(baseline.instances() % 8 != 0 && batches % 6 != 0, baseline.instances() + " instances");
    String whole = hdfs + "/runs/short-whole";
    GeneralDistillJob.Summary uninterrupted = GeneralDistillJob.run(spark, settings(whole, freq3));
    assertEquals(baseline.instances(), uninterrupted.examples(), "every instance trained once in the epoch");
    assertEquals((batches + 5) / 6, uninterrupted.rounds());
    List<JsonNode> records = new RunLog(new Path(whole), new Configuration(), Long.MAX_VALUE).records();
    long last = records.get(records.size() - 1).get("examples").asLong()
        - records.get(records.size() - 2).get("examples").asLong();
    assertTrue(last < 6 * 8, "the last round is short: " + last + " examples");

    // Crash in the short last round (every attempt fails), after the checkpoint of the round before it.
    String out = hdfs + "/runs/short-resumed";
    CrashingLoader.reset((int) batches, Integer.MAX_VALUE);
    assertThrows(Exception.class, () -> GeneralDistillJob.run(spark, settings(out, freq3), CrashingLoader.HOOK));
    GeneralDistillJob.Summary resumed = GeneralDistillJob.run(spark, settings(out, freq3));
    assertTrue(resumed.resumed());
    assertEquals(uninterrupted.examples(), resumed.examples());
    Configuration conf = new Configuration();
    assertArrayEquals(HadoopIO.readAll(new Path(whole, "student/model.safetensors"), conf),
        HadoopIO.readAll(new Path(out, "student/model.safetensors"), conf), "the same student, byte for byte");
  }

  @Test
  void aFailedTaskIsRetriedAndNothingIsLost() throws Exception {
    String out = hdfs + "/runs/retried";
    CrashingLoader.reset(5, 1); // the 5th minibatch load fails once; Spark retries the task
    GeneralDistillJob.Summary run = GeneralDistillJob.run(spark, settings(out), CrashingLoader.HOOK);
    assertEquals(1, CrashingLoader.failures.get(), "the injected failure happened");
    assertEquals(baseline.rounds(), run.rounds());
    assertSameStudent(student(baselineOut), student(out));
  }

  /**
   * Two runs on one output at once: the second stops within seconds naming the first, which runs as if alone (its
   * student byte for byte the baseline's).
   */
  @Test
  void aSecondRunOnAHeldOutputIsRefusedAndTheFirstRunsAsIfAlone() throws Exception {
    String out = tmp.resolve("runs/twice").toUri().toString();
    Path holdFile = OutputHold.fileOf(new Path(out));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    java.util.concurrent.CompletableFuture<GeneralDistillJob.Summary> first =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return GeneralDistillJob.run(spark, settings(out));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!HadoopIO.exists(holdFile, conf) && !first.isDone() && System.nanoTime() < deadline) Thread.sleep(20);
    assertTrue(HadoopIO.exists(holdFile, conf), "the first run holds " + out);
    long t0 = System.nanoTime();
    OutputHeldException e = assertThrows(OutputHeldException.class, () -> GeneralDistillJob.run(spark, settings(out)));
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "refused at once");
    String m = e.getMessage();
    assertTrue(m.contains("is held by another run (host ") && m.contains("pid " + ProcessHandle.current().pid())
        && m.contains("application " + spark.sparkContext().applicationId()) && m.contains(", since "), m);
    GeneralDistillJob.Summary run = first.get();
    assertFalse(run.resumed());
    assertEquals(baseline.rounds(), run.rounds());
    assertFalse(HadoopIO.exists(holdFile, conf), "released at the end");
    assertArrayEquals(HadoopIO.readAll(new Path(baselineOut, "student/model.safetensors"), conf),
        HadoopIO.readAll(new Path(out, "student/model.safetensors"), conf));
    assertEquals(List.of(), RunSchemas.runProblems(tmp.resolve("runs/twice")));
  }

  /** A run whose hold another run took (it stood still too long) stops before its next commit, writing nothing. */
  @Test
  void aRunThatLostItsHoldStopsBeforeItsNextCommit() throws Exception {
    String out = hdfs + "/runs/taken";
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    // While round 3 trains (the 5th minibatch; the checkpoint of round 2 is written), another run takes the hold.
    TakingLoader.reset(5, OutputHold.fileOf(new Path(out)).toString());
    Exception e = assertThrows(Exception.class, () -> GeneralDistillJob.run(spark, settings(out), TakingLoader.HOOK));
    Throwable cause = e;
    while (cause != null && !(cause instanceof HoldLostException)) cause = cause.getCause();
    assertTrue(cause instanceof HoldLostException, "stopped by the lost hold: " + e);
    assertTrue(cause.getMessage().contains("another run took it over: host another-host.example, pid 4242"),
        cause.getMessage());
    assertEquals(2, new RunLog(new Path(out), conf, Long.MAX_VALUE).records().size(), "no round recorded after it");
    FileSystem fs = new Path(out).getFileSystem(conf);
    org.apache.hadoop.fs.FileStatus[] ckpts = fs.globStatus(new Path(out, "checkpoints/ckpt-*"));
    assertEquals(1, ckpts.length);
    assertEquals("ckpt-000000002", ckpts[0].getPath().getName());
    assertFalse(fs.exists(new Path(out, "student")), "no student");
    assertTrue(new String(HadoopIO.readAll(OutputHold.fileOf(new Path(out)), conf), StandardCharsets.UTF_8)
        .contains("the-taker"), "the taker's hold is left alone");
  }

  /** Replaces the output's hold with another run's when the n-th minibatch is loaded, as a run taking it over. */
  static final class TakingLoader implements MultiDataSetLoader {
    static final AtomicInteger loads = new AtomicInteger();
    static volatile int takeAt;
    static volatile String holdFile;
    static final UnaryOperator<MultiDataSetLoader> HOOK = TakingLoader::new;

    private final MultiDataSetLoader delegate;

    TakingLoader(MultiDataSetLoader delegate) {
      this.delegate = delegate;
    }

    static void reset(int at, String file) {
      loads.set(0);
      takeAt = at;
      holdFile = file;
    }

    @Override
    public MultiDataSet load(Source source) throws IOException {
      if (loads.incrementAndGet() == takeAt) {
        String now = java.time.Instant.now().toString();
        String json = "{\"host\":\"another-host.example\",\"pid\":4242,\"token\":\"the-taker\","
            + "\"spark_application_id\":\"app-other\",\"since\":\"" + now + "\",\"heartbeat\":\"" + now + "\"}";
        HadoopIO.writeAtomically(new Path(holdFile), cluster.getFileSystem().getConf(),
            json.getBytes(StandardCharsets.UTF_8));
      }
      return delegate.load(source);
    }
  }

  static void assertSameStudent(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String k : expected.keySet()) Tensors.assertClose(k, expected.get(k), actual.get(k), 1e-4);
  }

  @Test
  void badInputStopsBeforeTraining() throws Exception {
    FileSystem fs = cluster.getFileSystem();
    fs.create(new Path(hdfs + "/empty/blank.txt")).close();
    assertMessage("empty", settings(hdfs + "/runs/bad1", "tinybert.general-distill.corpus=[\"" + hdfs + "/empty\"]"),
        hdfs + "/runs/bad1");
    assertMessage("no-such", settings(hdfs + "/runs/bad2",
        "tinybert.general-distill.corpus=[\"" + hdfs + "/no-such-dir\"]"), hdfs + "/runs/bad2");
    // A teacher whose vocabulary does not match its config (and so the tokenizer).
    java.nio.file.Path badTeacher = tmp.resolve("bad-teacher");
    Files.createDirectories(badTeacher);
    java.nio.file.Path golden = java.nio.file.Path.of(Golden.hadoopPath("teacher").toUri());
    for (String f : List.of("config.json", "model.safetensors")) Files.copy(golden.resolve(f), badTeacher.resolve(f));
    List<String> vocab = Files.readAllLines(golden.resolve("vocab.txt"));
    Files.write(badTeacher.resolve("vocab.txt"), vocab.subList(0, 300));
    assertMessage("vocab", settings(hdfs + "/runs/bad3", "tinybert.general-distill.teacher=\"" + badTeacher + "\""),
        hdfs + "/runs/bad3");
    // Attention distillation with a student of another head count.
    assertMessage("head count", settings(hdfs + "/runs/bad4", "tinybert.general-distill.student-heads=2"),
        hdfs + "/runs/bad4");
  }

  static void assertMessage(String fragment, GeneralDistillSettings s, String output) {
    Exception e = assertThrows(Exception.class, () -> GeneralDistillJob.run(spark, s));
    assertTrue(String.valueOf(e.getMessage()).contains(fragment), "message: " + e.getMessage());
    assertFalse(HadoopIO.exists(new Path(output, "checkpoints"), new Configuration()), "training started: " + output);
  }

  /** Fails the n-th minibatch load (counted across the JVM: local Spark's executors share it) a given number of times. */
  static final class CrashingLoader implements MultiDataSetLoader {
    static final AtomicInteger loads = new AtomicInteger();
    static final AtomicInteger failures = new AtomicInteger();
    static volatile int failAt;
    static volatile int maxFailures;
    static final UnaryOperator<MultiDataSetLoader> HOOK = CrashingLoader::new;

    private final MultiDataSetLoader delegate;

    CrashingLoader(MultiDataSetLoader delegate) {
      this.delegate = delegate;
    }

    static void reset(int at, int max) {
      loads.set(0);
      failures.set(0);
      failAt = at;
      maxFailures = max;
    }

    @Override
    public MultiDataSet load(Source source) throws IOException {
      if (loads.incrementAndGet() >= failAt && failures.get() < maxFailures) {
        failures.incrementAndGet();
        loads.decrementAndGet();
        throw new IOException("injected executor failure loading " + source.getPath());
      }
      return delegate.load(source);
    }
  }
}
