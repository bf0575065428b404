package org.tinybert.training;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.io.HadoopSource;
import org.tinybert.runtime.GpuBinding;

/**
 * One averaging round of {@link ParameterAveragingTrainer}, both sides: the driver hands every worker the graph's
 * state (parameters and optimiser state), each worker (a Spark task) trains its replica on its minibatches, and the
 * driver averages what comes back into its own graph, in place.
 *
 * <p>How the state travels is what a round costs beyond its steps. Each executor JVM keeps one replica graph per task
 * slot for the whole run (built once from the configuration; a round only overwrites its arrays). When the tasks run
 * in the driver's own JVM (a {@code local} master) nothing is serialised: workers copy the driver's arrays into their
 * replicas and the driver averages straight from the replicas' arrays, all ND4J copies at memory speed. On a cluster
 * the state goes out as one torrent broadcast per round and comes back as each task's result, in both directions as
 * flat little-endian float bytes in chunks of at most {@value #CHUNK_FLOATS} values ({@link Wire}): written straight
 * from ND4J's arrays into Spark's serialisation stream and read back in bulk (DL4J Spark serialised the same arrays
 * element by element).
 */
final class AveragingRound {
  private static final Logger LOG = LoggerFactory.getLogger(AveragingRound.class);
  /** Values per chunk of a state on the wire: 256 MB, well below Java's 2 GB array limit. */
  static final int CHUNK_FLOATS = 1 << 26;

  private AveragingRound() {}

  /** Bytes of a graph's state: parameters and optimiser state (what each worker receives and returns per round). */
  static long stateBytes(ComputationGraph graph) {
    INDArray u = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
    return (graph.params().length() + (u == null ? 0 : u.length())) * graph.params().dataType().width();
  }

  /** The arrays averaged each round, in order: parameters, then the optimiser state (absent for plain SGD). */
  private static INDArray[] stateOf(ComputationGraph g) {
    // The driver's graph gets its (zero) optimiser state on the first round, as DL4J Spark's master did.
    INDArray u = g.getUpdater() == null ? null : g.getUpdater().getStateViewArray();
    INDArray[] s = u == null ? new INDArray[] {g.params()} : new INDArray[] {g.params(), u};
    for (INDArray a : s) {
      if (a.dataType() != DataType.FLOAT) {
        throw new IllegalStateException("parameter averaging expects float state, found " + a.dataType());
      }
    }
    return s;
  }

  /**
   * The most bytes one task's result may have: Spark serialises it into a single Java array (at most 2^31 - 9 bytes),
   * less a megabyte for the report's other fields and Spark's own (accumulators, metrics).
   */
  static final long MAX_TASK_RESULT_BYTES = Integer.MAX_VALUE - 8 - (1L << 20);
  static final String MAX_RESULT_SIZE_KEY = "spark.driver.maxResultSize";
  private static final String MAX_RESULT_SIZE_DEFAULT = "1g";

  /**
   * On a cluster every worker's state comes back to the driver as its task's result. Past what one result can hold
   * Spark fails in the executor (an OutOfMemoryError that kills it, then the same on every retry), and past
   * {@code spark.driver.maxResultSize} it aborts the job after the first round's training: both are said here first,
   * with what to change.
   *
   * @param maxResultSize {@code spark.driver.maxResultSize} in bytes, 0 for no limit
   */
  static void checkReturnable(long stateBytes, int workers, long maxResultSize) {
    if (stateBytes > MAX_TASK_RESULT_BYTES) {
      throw new IllegalArgumentException(String.format("this model's parameters and optimiser state are %.1f MB, "
          + "and on a cluster each worker returns them to the driver as one Spark task result, which holds at most "
          + "%.1f MB: train it with a local master (local[N], one machine), where nothing is serialised, or train a "
          + "smaller model", stateBytes / 1e6, MAX_TASK_RESULT_BYTES / 1e6));
    }
    long round = stateBytes * workers;
    if (maxResultSize > 0 && round > maxResultSize) {
      throw new IllegalArgumentException(String.format("each round returns %d x %.1f MB of parameters and optimiser "
          + "state to the driver, more than %s (%.1f MB): set it to at least %dm, or 0 for no limit (as "
          + "deploy/spark/submit.sh does)", workers, stateBytes / 1e6, MAX_RESULT_SIZE_KEY, maxResultSize / 1e6,
          (round + (1 << 20) - 1) >> 20));
    }
  }

  /** What a round gave the driver. */
  record Result(double score, double roundSeconds, double meanStepSeconds, double fixedSeconds) {}

  /**
   * One worker's report: its last minibatch's score, its seconds in optimiser steps, and, from another JVM, its trained
   * state (null when the driver reads the replica itself) with the seconds it took to take the round's state in
   * (reading the broadcast, copying it into the replica) and to put its own out.
   */
  record Report(int worker, double score, double stepSeconds, Wire state, double inSeconds, double outSeconds)
      implements Serializable {}

  /** The driver's side, for one training run. */
  static final class Driver implements AutoCloseable {
    private final JavaSparkContext jsc;
    private final ComputationGraph graph;
    private final String runKey;
    private final String confJson;
    private final boolean inProcess;
    private long roundCounter;
    /** Where a worker's state lands before it is added to the sum: allocated once, on the first cluster round. */
    private INDArray[] received;

    /** Refuses a state that a cluster could not return (see {@link #checkReturnable}) before any round runs. */
    Driver(JavaSparkContext jsc, ComputationGraph graph, String runKey, int workers) {
      this.jsc = jsc;
      this.graph = graph;
      this.runKey = runKey;
      this.confJson = graph.getConfiguration().toJson();
      this.inProcess = jsc.isLocal();
      if (!inProcess) {
        checkReturnable(stateBytes(graph), workers,
            jsc.getConf().getSizeAsBytes(MAX_RESULT_SIZE_KEY, MAX_RESULT_SIZE_DEFAULT));
      }
    }

    /**
     * Trains one round: worker i trains {@code work.get(i)} from the graph's state at {@code steps} (the run's
     * optimiser steps so far) in {@code epoch}; then the graph holds the average and its score the mean score.
     */
    Result run(List<List<String>> work, MultiDataSetLoader loader, Broadcast<SerializableConfiguration> hadoop,
        long steps, int epoch) {
      long t0 = System.nanoTime();
      INDArray[] state = stateOf(graph);
      String roundKey = runKey + "/" + (++roundCounter);
      Broadcast<Wire> wire = null;
      if (inProcess) {
        InProcess.publish(roundKey, state);
      } else {
        // Spark serialises the broadcast here, once: the driver's arrays are free to change after this call.
        wire = jsc.broadcast(Wire.sending(state, null));
      }
      double packed = (System.nanoTime() - t0) / 1e9;
      long[][] shapes = new long[state.length][];
      for (int a = 0; a < state.length; a++) shapes[a] = state[a].shape();
      Worker task = new Worker(runKey, roundKey, confJson, shapes, wire, loader, hadoop, Math.toIntExact(steps), epoch);
      List<Report> reports = null;
      try {
        reports = jsc.parallelize(work, work.size()).mapPartitionsWithIndex(task, false).collect();
      } finally {
        if (inProcess) InProcess.withdraw(roundKey);
        // A failed round's finished workers left replicas that no one will average: back to the pool.
        if (inProcess && reports == null) InProcess.discardResults(roundKey, runKey);
        if (wire != null) wire.destroy();
      }
      // DL4J's sum, in worker order: the first worker's state plus each next one's, in float, then divided by the
      // count. The first state is taken into the driver's arrays as it is (a + b is the same float whichever array
      // holds a), the next ones added to it.
      long t1 = System.nanoTime();
      double scoreSum = 0;
      double maxStep = 0;
      double sumStep = 0;
      double maxIn = 0;
      double maxOut = 0;
      List<ComputationGraph> replicas = new ArrayList<>();
      try {
        INDArray[] first = null;
        for (int i = 0; i < reports.size(); i++) {
          Report r = reports.get(i);
          INDArray[] trained;
          if (r.state() == null) {
            ComputationGraph replica = InProcess.takeResult(roundKey, r.worker());
            replicas.add(replica);
            trained = stateOf(replica);
            // The first two replicas are summed into the driver's arrays in one pass, saving a copy.
            for (int a = 0; a < state.length; a++) {
              if (i == 1) {
                Nd4j.getExecutioner().exec(new AddOp(first[a], trained[a], state[a]));
              } else if (i > 1) {
                state[a].addi(trained[a]);
              } else if (reports.size() == 1) {
                state[a].assign(trained[a]);
              }
            }
            if (i == 0) first = trained;
          } else if (i == 0) {
            readInto(r.state().chunks(), state);
          } else {
            readInto(r.state().chunks(), received(state));
            for (int a = 0; a < state.length; a++) state[a].addi(received[a]);
          }
          scoreSum += r.score();
          maxStep = Math.max(maxStep, r.stepSeconds());
          sumStep += r.stepSeconds();
          maxIn = Math.max(maxIn, r.inSeconds());
          maxOut = Math.max(maxOut, r.outSeconds());
        }
        if (reports.size() > 1) {
          for (INDArray a : state) a.divi(reports.size());
        }
      } finally {
        for (ComputationGraph replica : replicas) Replicas.release(runKey, replica);
      }
      if (!inProcess) {
        // A worker's state is copied out as Spark serialises its result (within "tasks ran"), except where it had to
        // be copied into chunks first (arrays off the host): then that copy is said too.
        LOG.info("round {}: state broadcast in {} s, workers took it in in up to {} s{}, tasks ran {} s (steps up to "
            + "{} s), averaged in {} s", roundCounter, f(packed), f(maxIn),
            maxOut >= 0.005 ? " and copied theirs out in up to " + f(maxOut) + " s" : "", f((t1 - t0) / 1e9 - packed),
            f(maxStep), f((System.nanoTime() - t1) / 1e9));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      return new Result(scoreSum / reports.size(), secs, sumStep / reports.size(), Math.max(0, secs - maxStep));
    }

    private INDArray[] received(INDArray[] like) {
      if (received == null) {
        received = new INDArray[like.length];
        for (int a = 0; a < like.length; a++) received[a] = Nd4j.create(DataType.FLOAT, like[a].shape());
      }
      return received;
    }

    private static String f(double seconds) {
      return String.format("%.2f", seconds);
    }

    /** Forgets this run's replicas in the driver's JVM (executors drop theirs when the next run starts). */
    @Override
    public void close() {
      Replicas.forget(runKey);
    }
  }

  /** The executor's side: a task trains its minibatches on a replica and reports. */
  static final class Worker implements Function2<Integer, Iterator<List<String>>, Iterator<Report>> {
    private static final long serialVersionUID = 1L;
    private final String runKey;
    private final String roundKey;
    private final String confJson;
    private final Broadcast<Wire> wire;
    private final MultiDataSetLoader loader;
    private final Broadcast<SerializableConfiguration> hadoop;
    private final long[][] shapes;
    private final int iteration;
    private final int epoch;

    Worker(String runKey, String roundKey, String confJson, long[][] shapes, Broadcast<Wire> wire,
        MultiDataSetLoader loader, Broadcast<SerializableConfiguration> hadoop, int iteration, int epoch) {
      this.runKey = runKey;
      this.roundKey = roundKey;
      this.confJson = confJson;
      this.shapes = shapes;
      this.wire = wire;
      this.loader = loader;
      this.hadoop = hadoop;
      this.iteration = iteration;
      this.epoch = epoch;
    }

    @Override
    public Iterator<Report> call(Integer worker, Iterator<List<String>> partition) throws Exception {
      GpuBinding.bindCurrentTask();
      List<String> paths = partition.next();
      ComputationGraph replica = Replicas.take(runKey, confJson, shapes);
      boolean handedOver = false;
      try {
        long t0 = System.nanoTime();
        INDArray[] state = stateOf(replica);
        if (wire == null) {
          INDArray[] driver = InProcess.published(roundKey);
          for (int a = 0; a < state.length; a++) state[a].assign(driver[a]);
        } else {
          readInto(wire.value().chunks(), state);
        }
        double inSeconds = (System.nanoTime() - t0) / 1e9;
        // Every worker starts the round at the run's step: the learning-rate schedule, BertAdam's bias correction
        // and dropout's step key follow these counts.
        ComputationGraphConfiguration c = replica.getConfiguration();
        c.setIterationCount(iteration);
        c.setEpochCount(epoch);
        Configuration conf = hadoop.value().value();
        double stepSeconds = 0;
        for (String p : paths) {
          MultiDataSet mds = loader.load(new HadoopSource(p, conf));
          long t = System.nanoTime();
          replica.fit(mds);
          stepSeconds += (System.nanoTime() - t) / 1e9;
        }
        Nd4j.getExecutioner().commit();
        Report report;
        if (wire == null) {
          InProcess.putResult(roundKey, worker, replica);
          handedOver = true;
          report = new Report(worker, replica.score(), stepSeconds, null, inSeconds, 0);
        } else {
          // The replica's arrays are written out when Spark serialises this task's result, after this returns: the
          // replica goes back to the pool only then, so no other task of this JVM can overwrite it first.
          long t1 = System.nanoTime();
          Wire out = Wire.sending(stateOf(replica), () -> Replicas.release(runKey, replica));
          handedOver = out.releasesWhenWritten();
          report = new Report(worker, replica.score(), stepSeconds, out, inSeconds, (System.nanoTime() - t1) / 1e9);
        }
        return List.of(report).iterator();
      } finally {
        if (!handedOver) Replicas.release(runKey, replica);
      }
    }
  }

  // ---- the state on the wire ----

  /**
   * Whether ND4J's arrays live in this JVM's native memory (the CPU backend): then a state goes between its arrays and
   * the wire's chunks in one bulk copy each way. Another backend's arrays are read and written through ND4J's own
   * copies (float[] and back), which keep device and host in step.
   */
  private static final boolean HOST_ARRAYS = Nd4j.getEnvironment().isCPU();

  /** Arrays as chunks of little-endian float bytes, each array starting a new chunk. */
  static byte[][] toBytes(INDArray[] arrays) {
    return toBytes(arrays, CHUNK_FLOATS);
  }

  static byte[][] toBytes(INDArray[] arrays, int chunkFloats) {
    List<byte[]> chunks = new ArrayList<>();
    for (INDArray a : arrays) {
      FloatBuffer values = hostFloats(a);
      if (values == null) values = FloatBuffer.wrap(a.toFloatVector());
      int length = values.remaining();
      for (int from = 0; from < length; from += chunkFloats) {
        int n = Math.min(chunkFloats, length - from);
        byte[] chunk = new byte[n * Float.BYTES];
        // Same byte order on both sides (x86 and ARM are little-endian) makes this a memory copy.
        littleEndian(chunk).put(0, values, from, n);
        chunks.add(chunk);
      }
    }
    return chunks.toArray(new byte[0][]);
  }

  /**
   * Writes chunks of {@link #toBytes} into {@code into}, in place: the arrays must have the shapes they were sent
   * from. Chunks that do not fit them are refused, naming the chunk, before anything is written.
   */
  static void readInto(byte[][] chunks, INDArray[] into) {
    int c = 0;
    for (INDArray a : into) {
      for (long from = 0, length = a.length(); from < length; c++) {
        long n = c < chunks.length ? chunks[c].length / Float.BYTES : 0;
        if (n == 0 || chunks[c].length % Float.BYTES != 0 || from + n > length) {
          throw new IllegalStateException("a worker's state does not match the graph's: chunk " + c + " of "
              + chunks.length);
        }
        from += n;
      }
    }
    if (c != chunks.length) throw new IllegalStateException("a worker's state has " + chunks.length + " chunks");
    c = 0;
    for (INDArray a : into) {
      int length = Math.toIntExact(a.length());
      FloatBuffer host = hostFloats(a);
      FloatBuffer values = host != null ? host : FloatBuffer.allocate(length);
      for (int from = 0; from < length; c++) {
        int n = chunks[c].length / Float.BYTES;
        values.put(from, littleEndian(chunks[c]), 0, n);
        from += n;
      }
      if (host == null) a.assign(Nd4j.createFromArray(values.array()).reshape(a.shape()));
    }
  }

  private static FloatBuffer littleEndian(byte[] chunk) {
    return ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  /** An array's own values in native memory, or null where they cannot be used in place. */
  private static FloatBuffer hostFloats(INDArray a) {
    ByteBuffer b = hostBytes(a);
    return b == null ? null : b.asFloatBuffer();
  }

  /** An array's own values in native memory as bytes in native order, or null where they cannot be used in place. */
  private static ByteBuffer hostBytes(INDArray a) {
    if (!HOST_ARRAYS || a.isView() || a.dataType() != DataType.FLOAT || a.data().length() != a.length()) return null;
    ByteBuffer b = a.data().asNio().order(ByteOrder.nativeOrder());
    return b.remaining() == a.length() * Float.BYTES ? b : null;
  }

  /**
   * A state on the wire, as the chunks of {@link #toBytes}: what the driver broadcasts and what each worker returns.
   * Made from ND4J's host arrays, it copies their memory straight into the stream when Spark serialises it, a
   * megabyte at a time, where a {@code byte[][]} of the whole state had to be made on the heap first: 1.3 GB per
   * worker and round for a BERT-base-sized model being fine-tuned, which with Spark's own serialised copies filled
   * the heaps and made the collector take most of a round. Where it arrives it is read into heap chunks.
   *
   * <p>Written with Java serialisation, which Spark uses for broadcasts and task results by default: Kryo as the
   * application's serializer cannot rebuild the partitions' Scala collections.
   */
  static final class Wire implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Bytes copied from native memory into the stream at a time. */
    private static final int SCRATCH_BYTES = 1 << 20;
    /**
     * What is sent: views of the arrays' memory (not the arrays: Spark sizes a broadcast's value by walking its
     * fields), or the chunks made of them; null once arrived.
     */
    private transient ByteBuffer[] source;
    private transient int chunkFloats;
    /** Run once the state is written, or could not be. */
    private transient Runnable written;
    /** The state as it arrived. */
    private transient byte[][] chunks;

    private Wire() {}

    /** A state already in chunks (arrays off the host), sent chunk for chunk. */
    static Wire of(byte[][] chunks) {
      Wire w = new Wire();
      w.source = new ByteBuffer[chunks.length];
      for (int c = 0; c < chunks.length; c++) w.source[c] = ByteBuffer.wrap(chunks[c]);
      w.chunkFloats = Integer.MAX_VALUE; // each buffer is one chunk
      return w;
    }

    /** {@link #sending(INDArray[], int, Runnable)} in chunks of {@value #CHUNK_FLOATS} values. */
    static Wire sending(INDArray[] arrays, Runnable written) {
      return sending(arrays, CHUNK_FLOATS, written);
    }

    /**
     * The arrays' state, copied from their memory when serialised, after which {@code written} (if any) runs. The
     * arrays must keep their values until then and be held elsewhere: the wire keeps views of their memory, not
     * them. Where that cannot be done (arrays ND4J keeps on a GPU, views, a big-endian machine) the state is copied
     * into chunks now and {@code written} is not kept: the arrays are free at once ({@link #releasesWhenWritten}).
     */
    static Wire sending(INDArray[] arrays, int chunkFloats, Runnable written) {
      ByteBuffer[] views = new ByteBuffer[arrays.length];
      for (int a = 0; a < arrays.length; a++) {
        views[a] = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? hostBytes(arrays[a]) : null;
        if (views[a] == null) return of(toBytes(arrays, chunkFloats));
      }
      Wire w = new Wire();
      w.source = views;
      w.chunkFloats = chunkFloats;
      w.written = written;
      return w;
    }

    /** Whether the arrays it was made from are still in use until it is written. */
    boolean releasesWhenWritten() {
      return source != null && written != null;
    }

    /** The state's chunks, as {@link #readInto} takes them. */
    byte[][] chunks() {
      if (chunks == null) throw new IllegalStateException("a state on the wire is read where it arrives");
      return chunks;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      try {
        long chunkBytes = (long) chunkFloats * Float.BYTES;
        int count = 0;
        for (ByteBuffer b : source) count += Math.toIntExact((b.remaining() + chunkBytes - 1) / chunkBytes);
        out.writeInt(count);
        byte[] scratch = new byte[SCRATCH_BYTES];
        for (ByteBuffer b : source) {
          ByteBuffer values = b.duplicate();
          while (values.hasRemaining()) {
            int chunk = (int) Math.min(values.remaining(), chunkBytes);
            out.writeInt(chunk);
            for (int left = chunk; left > 0; ) {
              int n = Math.min(left, SCRATCH_BYTES);
              values.get(scratch, 0, n);
              out.write(scratch, 0, n);
              left -= n;
            }
          }
        }
      } finally {
        Runnable r = written;
        written = null;
        if (r != null) r.run();
      }
    }

    private void readObject(ObjectInputStream in) throws IOException {
      int count = in.readInt();
      if (count < 0) throw new InvalidObjectException("a state on the wire with " + count + " chunks");
      chunks = new byte[count][];
      long read = 0;
      for (int c = 0; c < count; c++) {
        int length = in.readInt();
        if (length < 0) throw new InvalidObjectException("chunk " + c + " of a state on the wire has " + length + " bytes");
        try {
          chunks[c] = allocate.apply(length);
        } catch (OutOfMemoryError e) {
          chunks = null;
          throw outOfHeap(in, read, length, c, count, e);
        }
        in.readFully(chunks[c]);
        read += length;
      }
    }

    /** How chunks are allocated where they arrive: a test stands in a heap that is full. */
    static java.util.function.IntFunction<byte[]> allocate = byte[]::new;

    /**
     * A heap too small for the state it receives. Thrown as it is, the error would surface as ObjectInputStream's
     * "unread block data" (what is left of this object is still in the stream), and on the driver Spark's task-result
     * thread dies of it and the job waits forever: so the rest of the state is skipped first and the reason given,
     * which Spark reports as the task's or the job's failure.
     */
    private static IOException outOfHeap(ObjectInputStream in, long read, int length, int chunk, int count,
        OutOfMemoryError cause) throws IOException {
      long total = read;
      for (int c = chunk; c < count; c++) {
        int n = c == chunk ? length : in.readInt();
        in.skipNBytes(n);
        total += n;
      }
      return new IOException(String.format("this JVM's heap (%.0f MB at most) cannot take in a state of %.1f MB "
          + "sent by Spark (a worker's result on the driver, the round's broadcast on an executor): give it more "
          + "(spark.driver.memory, spark.executor.memory; on a cluster a round holds a few copies of the state there)",
          Runtime.getRuntime().maxMemory() / 1e6, total / 1e6), cause);
    }
  }

  // ---- what stays in a JVM ----

  /** The replicas of this JVM: one per task slot and run, built once and reused every round. */
  static final class Replicas {
    private static final Map<String, Deque<ComputationGraph>> FREE = new ConcurrentHashMap<>();

    private Replicas() {}

    /**
     * A replica of the run's graph whose state arrays have the driver's {@code shapes} (parameters, then optimiser
     * state if any); their values are whatever the last round left (a round overwrites them all).
     */
    static ComputationGraph take(String runKey, String confJson, long[][] shapes) {
      synchronized (FREE) {
        // A JVM trains one run at a time; replicas of earlier runs are only memory now.
        FREE.keySet().removeIf(k -> !k.equals(runKey));
        Deque<ComputationGraph> free = FREE.computeIfAbsent(runKey, k -> new ArrayDeque<>());
        if (!free.isEmpty()) return free.pop();
      }
      // Given its parameter array, a graph skips the initialisers: nothing random, nothing read.
      ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(confJson));
      g.init(Nd4j.create(DataType.FLOAT, shapes[0]), false);
      if (shapes.length > 1) g.setUpdater(new ComputationGraphUpdater(g, Nd4j.create(DataType.FLOAT, shapes[1])));
      return g;
    }

    static void release(String runKey, ComputationGraph g) {
      synchronized (FREE) {
        Deque<ComputationGraph> free = FREE.get(runKey);
        if (free != null) free.push(g);
      }
    }

    static void forget(String runKey) {
      synchronized (FREE) {
        FREE.remove(runKey);
      }
    }
  }

  /** The driver's arrays and the workers' replicas of a round, when both sides share this JVM. */
  static final class InProcess {
    private static final Map<String, INDArray[]> PUBLISHED = new ConcurrentHashMap<>();
    private static final Map<String, ComputationGraph> RESULTS = new ConcurrentHashMap<>();

    private InProcess() {}

    static void publish(String roundKey, INDArray[] state) {
      PUBLISHED.put(roundKey, state);
    }

    static INDArray[] published(String roundKey) {
      INDArray[] s = PUBLISHED.get(roundKey);
      if (s == null) throw new IllegalStateException("round " + roundKey + " is not in this JVM");
      return s;
    }

    static void putResult(String roundKey, int worker, ComputationGraph replica) {
      RESULTS.put(roundKey + "#" + worker, replica);
    }

    static ComputationGraph takeResult(String roundKey, int worker) {
      ComputationGraph g = RESULTS.remove(roundKey + "#" + worker);
      if (g == null) throw new IllegalStateException("worker " + worker + " of round " + roundKey + " left no replica");
      return g;
    }

    /** Ends a round: the driver's arrays are no longer shared. */
    static void withdraw(String roundKey) {
      PUBLISHED.remove(roundKey);
    }

    /** Hands the replicas a failed round's workers left back to the run's pool. */
    static void discardResults(String roundKey, String runKey) {
      RESULTS.keySet().removeIf(k -> {
        if (!k.startsWith(roundKey + "#")) return false;
        ComputationGraph g = RESULTS.get(k);
        if (g != null) Replicas.release(runKey, g);
        return true;
      });
    }
  }
}
