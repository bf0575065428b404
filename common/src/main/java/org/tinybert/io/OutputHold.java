package org.tinybert.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * One run per output: a run's hold on the output it writes, the file {@code <output>.hold} beside it, so that a second
 * run of the same command (an operator's, a scheduler's retry while the old driver still lives) cannot write into the
 * same checkpoints, metrics and models at once.
 *
 * <p>{@link #take} creates the file exclusively (Hadoop's {@code create} without overwrite, atomic on HDFS; on the
 * local file system an O_EXCL create, since Hadoop's local create only checks first). It says who holds the output:
 * host, process id, a token unique to the run (two runs in one JVM share host and pid), the Spark application and
 * attempt, since when, and the last heartbeat, which a daemon thread renews while the run lives. {@link #close} deletes
 * it. A run that finds the output held stops at once with an {@link OutputHeldException} naming the holder, having
 * changed nothing.
 *
 * <p>A hold is stale, and taken over with a warning naming the old holder, when its heartbeat is older than
 * {@value #STALE_AFTER_KEY}, at once when its process is gone (same host, no such process: the usual rerun after a
 * crash or a kill never waits), and when it is an earlier attempt of the same Spark application (YARN restarts the
 * application master). One taker at a time (the one that creates {@code .<name>.hold.takeover} exclusively)
 * re-reads the hold, deletes it if it is still the one judged stale, and creates its own exclusively, reading it back.
 *
 * <p>The run calls {@link #check} before each commit (a checkpoint, a metrics record, the manifest, a model, a part):
 * it re-reads the file, so a run whose hold was taken over (a zombie that stood still longer than the limit) stops with
 * a {@link HoldLostException} instead of writing.
 */
public final class OutputHold implements AutoCloseable {
  /** How old a heartbeat may grow before another run takes the hold over. */
  public static final Key STALE_AFTER = Section.of("hold").key("stale-after");
  /** {@link #STALE_AFTER}, spelled out for messages. */
  public static final String STALE_AFTER_KEY = STALE_AFTER.full();
  /** The hold file's name is the output's plus this. */
  public static final String SUFFIX = ".hold";
  private static final Logger LOG = LoggerFactory.getLogger(OutputHold.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a takeover may take before its marker counts as left by a dead taker; a takeover takes milliseconds. */
  private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(10);
  /** The tokens of the holds open in this JVM: a hold by this pid with another token is a run gone from it. */
  private static final Set<String> OPEN = ConcurrentHashMap.newKeySet();

  /**
   * Who holds an output, as its hold file says; {@code token} is null when the file could not be read (a hold being
   * written), and the file's modification time then stands for its heartbeat.
   */
  public record Holder(String host, long pid, Instant processStart, String token, String applicationId,
      String attemptId, Instant since, Instant heartbeat) {

    /** "host h, pid 123, application app-1 attempt 2, since 2026-12-05T07:40:00Z". */
    public String describe() {
      if (token == null) return "an unreadable hold (being written, or not one of ours), last modified " + heartbeat;
      return "host " + host + ", pid " + pid + ", application " + applicationId
          + (attemptId == null ? "" : " attempt " + attemptId) + ", since " + since;
    }
  }

  private final Path file;
  private final String output;
  private final Store store;
  private final Duration staleAfter;
  private final Holder me;
  private final ScheduledExecutorService heartbeat;
  /** System.nanoTime of the last heartbeat written (or of the hold's creation). */
  private long renewedNanos;
  /** Why the hold is no longer this run's; null while it is. */
  private volatile String lost;
  private boolean closed;

  private OutputHold(Path file, String output, Store store, Duration staleAfter, Holder me) {
    this.file = file;
    this.output = output;
    this.store = store;
    this.staleAfter = staleAfter;
    this.me = me;
    this.renewedNanos = System.nanoTime();
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hold heartbeat " + file);
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(staleAfter.toMillis() / 5, 20);
    heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** The hold file of {@code output}: {@code <output>.hold} beside it. */
  public static Path fileOf(Path output) {
    return new Path(output.getParent(), output.getName() + SUFFIX);
  }

  /** Takes the hold on {@code output} for a run of {@code spark}'s application; see the class comment. */
  public static OutputHold take(SparkContext spark, Path output, Duration staleAfter) throws IOException {
    String attempt = spark.applicationAttemptId().isDefined() ? spark.applicationAttemptId().get() : null;
    return take(output, spark.hadoopConfiguration(), staleAfter, spark.applicationId(), attempt);
  }

  /**
   * Takes the hold on {@code output}: creates its hold file, taking a stale one over; throws
   * {@link OutputHeldException} when a live run holds it.
   *
   * @param attemptId the Spark application's attempt (YARN cluster mode), null where there is none
   */
  public static OutputHold take(Path output, Configuration conf, Duration staleAfter, String applicationId,
      String attemptId) throws IOException {
    if (staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException(STALE_AFTER_KEY + " must be > 0, found " + staleAfter);
    }
    FileSystem fs = HadoopIO.fs(output, conf);
    Path file = fs.makeQualified(fileOf(output));
    Store store = "file".equals(fs.getScheme()) ? new LocalStore(fs) : new HadoopStore(fs, conf);
    Instant now = Instant.now();
    Holder me = new Holder(host(), ProcessHandle.current().pid(),
        ProcessHandle.current().info().startInstant().orElse(null), UUID.randomUUID().toString(), applicationId,
        attemptId, now, now);
    // Open before the file exists: a run in this JVM that reads it must find it alive.
    OPEN.add(me.token());
    boolean held = false;
    try {
      OutputHold hold = take(output, file, store, staleAfter, me);
      held = true;
      return hold;
    } finally {
      if (!held) OPEN.remove(me.token());
    }
  }

  private static OutputHold take(Path output, Path file, Store store, Duration staleAfter, Holder me)
      throws IOException {
    Path takeover = new Path(file.getParent(), "." + file.getName() + ".takeover");
    long deadline = System.nanoTime() + 3 * TAKEOVER_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (store.createNew(file, bytes(me))) {
        // Read back: on a file system whose create is not exclusive after all, the last writer wins, and it is us
        // only if the file says so.
        Optional<Stored> back = store.read(file);
        if (back.isPresent() && me.token().equals(parse(back.get()).token())) {
          LOG.info("{}: held by this run ({}) in {}", output, me.describe(), file);
          return new OutputHold(file, output.toString(), store, staleAfter, me);
        }
        continue;
      }
      Optional<Stored> seen = store.read(file);
      if (seen.isEmpty()) continue;
      Holder h = parse(seen.get());
      String why = whyStale(h, me, staleAfter);
      if (why == null) throw new OutputHeldException(output, file, h, staleAfter);
      // One taker at a time: the one that creates the takeover marker replaces the stale hold; the others wait
      // and then find the new, live one.
      if (!store.createNew(takeover, bytes(me))) {
        Optional<Stored> marker = store.read(takeover);
        if (marker.isPresent() && System.currentTimeMillis() - marker.get().modifiedMillis()
            > TAKEOVER_TIMEOUT.toMillis()) {
          store.delete(takeover);  // left by a taker that died during its takeover
        }
        pause();
        continue;
      }
      try {
        Optional<Stored> again = store.read(file);
        // Only the hold judged stale is replaced: one renewed (or replaced) meanwhile is judged again.
        if (again.isPresent() && again.get().sameContent(seen.get())) {
          LOG.warn("{}: taking over the hold of {}: {}", output, h.describe(), why);
          store.delete(file);
        }
      } finally {
        store.delete(takeover);
      }
    }
    throw new IOException("cannot take the hold " + file + " on " + output + ": other runs kept taking it");
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(20 + (long) (Math.random() * 80));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while taking a hold");
    }
  }

  /** Why {@code h} may be taken over by {@code me}, or null when its run is alive. */
  static String whyStale(Holder h, Holder me, Duration staleAfter) {
    Duration age = Duration.between(h.heartbeat(), Instant.now());
    if (age.compareTo(staleAfter) > 0) {
      return "its last heartbeat is " + age.toSeconds() + " s old, more than " + STALE_AFTER_KEY + " ("
          + staleAfter + ")";
    }
    if (h.token() == null) return null;
    if (h.host().equals(me.host())) {
      if (h.pid() == me.pid()) {
        // This JVM's pid: another run in it (tests) holds it while the hold is open here, or it is an earlier
        // process's that had this pid.
        if (!OPEN.contains(h.token())) {
          return sameInstant(h.processStart(), me.processStart())
              ? "its run is no longer in this process (pid " + h.pid() + ")"
              : "it was written by an earlier process with this pid (" + h.pid() + "), now gone";
        }
      } else {
        Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
        if (p.isEmpty() || !p.get().isAlive()) return "process " + h.pid() + " on this host is gone";
        Instant started = p.get().info().startInstant().orElse(null);
        if (h.processStart() != null && started != null && !sameInstant(started, h.processStart())) {
          return "process " + h.pid() + " on this host is gone (the pid is another process's now)";
        }
      }
    }
    if (h.applicationId() != null && h.applicationId().equals(me.applicationId()) && h.attemptId() != null
        && me.attemptId() != null && !h.attemptId().equals(me.attemptId())) {
      return "it is attempt " + h.attemptId() + " of this application, this is attempt " + me.attemptId();
    }
    return null;
  }

  /** Process start times as two JVMs compute them from the same clock ticks; a second's slack for rounding. */
  private static boolean sameInstant(Instant a, Instant b) {
    return a != null && b != null && Math.abs(Duration.between(a, b).toMillis()) < 1000;
  }

  public Path file() {
    return file;
  }

  /** Who holds the output: this run. */
  public Holder holder() {
    return me;
  }

  /**
   * Throws {@link HoldLostException} unless the hold is still this run's: called before each commit. Re-reads the
   * hold file; a run that could not renew its heartbeat for longer than the limit counts as having lost it (another
   * run may have taken it over and finished since).
   */
  public synchronized void check() {
    if (lost == null && !closed) verify();
    if (lost != null) throw new HoldLostException(output, file, lost);
    if (closed) throw new IllegalStateException("the hold " + file + " was released before a commit");
  }

  /** Whether the hold is still this run's, as the last heartbeat or check found it. */
  public boolean held() {
    return lost == null && !closed;
  }

  /** Stops the heartbeat and deletes the hold file if it is still this run's. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    heartbeat.shutdownNow();
    OPEN.remove(me.token());
    if (lost != null) return;
    try {
      Optional<Stored> s = store.read(file);
      if (s.isPresent() && me.token().equals(parse(s.get()).token())) store.delete(file);
    } catch (IOException e) {
      LOG.warn("{}: cannot release the hold {} ({}): the next run takes it over once it is stale", output, file,
          e.getMessage());
    }
  }

  private synchronized void beat() {
    if (closed || lost != null) return;
    try {
      if (!verify()) return;
      Instant now = Instant.now();
      store.replace(file, bytes(new Holder(me.host(), me.pid(), me.processStart(), me.token(), me.applicationId(),
          me.attemptId(), me.since(), now)));
      renewedNanos = System.nanoTime();
    } catch (IOException | RuntimeException e) {
      // Kept trying: a file system that stays unreachable past the limit makes the hold count as lost.
      LOG.warn("{}: cannot renew the hold {}: {}", output, file, e.getMessage());
    }
  }

  /** Whether the hold is still ours; records why not in {@link #lost}. */
  private boolean verify() {
    long sinceRenewed = System.nanoTime() - renewedNanos;
    if (sinceRenewed > staleAfter.toNanos()) {
      return lose("its heartbeat was last renewed " + sinceRenewed / 1_000_000_000L + " s ago, more than "
          + STALE_AFTER_KEY + " (" + staleAfter + "), so another run may have taken it over");
    }
    try {
      Optional<Stored> s = store.read(file);
      if (s.isEmpty()) {
        // Deleted by hand, or by a run that judged it stale just before it was renewed: ours while the heartbeat is
        // fresh, unless another run has created its own since.
        if (store.createNew(file, bytes(me))) return true;
        s = store.read(file);
        if (s.isEmpty()) return true;
      }
      Holder h = parse(s.get());
      if (h.token() == null || me.token().equals(h.token())) return true;
      return lose("another run took it over: " + h.describe());
    } catch (IOException e) {
      LOG.warn("{}: cannot read the hold {}: {}", output, file, e.getMessage());
      return true;
    }
  }

  private boolean lose(String why) {
    lost = why;
    LOG.error("{}: this run lost its hold {}: {}", output, file, why);
    heartbeat.shutdown();
    return false;
  }

  static byte[] bytes(Holder h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", h.host());
    m.put("pid", h.pid());
    m.put("process_start", h.processStart() == null ? null : h.processStart().toString());
    m.put("token", h.token());
    m.put("spark_application_id", h.applicationId());
    m.put("spark_attempt_id", h.attemptId());
    m.put("since", h.since().toString());
    m.put("heartbeat", h.heartbeat().toString());
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The holder a hold file names; a file that is not a whole hold (being written) gives an unreadable holder. */
  static Holder parse(Stored s) {
    Instant modified = Instant.ofEpochMilli(s.modifiedMillis());
    try {
      JsonNode n = JSON.readTree(s.bytes());
      if (n == null || !n.hasNonNull("token") || !n.hasNonNull("heartbeat")) {
        return new Holder(null, -1, null, null, null, null, modified, modified);
      }
      return new Holder(n.path("host").asText(), n.path("pid").asLong(-1), instant(n, "process_start"),
          n.get("token").asText(), text(n, "spark_application_id"), text(n, "spark_attempt_id"),
          instant(n, "since"), instant(n, "heartbeat"));
    } catch (IOException | DateTimeParseException e) {
      return new Holder(null, -1, null, null, null, null, modified, modified);
    }
  }

  private static String text(JsonNode n, String key) {
    return n.hasNonNull(key) ? n.get(key).asText() : null;
  }

  private static Instant instant(JsonNode n, String key) {
    return n.hasNonNull(key) ? Instant.parse(n.get(key).asText()) : null;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null ? "unknown" : env;
    }
  }

  // ---- the file operations a hold needs ----

  /** A hold file's bytes and modification time. */
  record Stored(byte[] bytes, long modifiedMillis) {
    boolean sameContent(Stored o) {
      return java.util.Arrays.equals(bytes, o.bytes);
    }
  }

  private interface Store {
    /** Creates {@code p} with {@code bytes} unless it exists, atomically; false when it exists. */
    boolean createNew(Path p, byte[] bytes) throws IOException;

    Optional<Stored> read(Path p) throws IOException;

    /** Replaces {@code p} with {@code bytes} atomically (a temporary sibling renamed over it). */
    void replace(Path p, byte[] bytes) throws IOException;

    void delete(Path p) throws IOException;
  }

  /**
   * java.nio on the local file system: Hadoop's local {@code create} checks, then opens (two runs can both create),
   * and its checksum files would go stale under a rename.
   */
  private static final class LocalStore implements Store {
    private final FileSystem fs;

    LocalStore(FileSystem fs) {
      this.fs = fs;
    }

    private java.nio.file.Path local(Path p) {
      return new File(fs.makeQualified(p).toUri()).toPath();
    }

    @Override
    public boolean createNew(Path p, byte[] bytes) throws IOException {
      java.nio.file.Path f = local(p);
      Files.createDirectories(f.getParent());
      try {
        Files.write(f, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }

    @Override
    public Optional<Stored> read(Path p) throws IOException {
      java.nio.file.Path f = local(p);
      try {
        return Optional.of(new Stored(Files.readAllBytes(f), Files.getLastModifiedTime(f).toMillis()));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
    }

    @Override
    public void replace(Path p, byte[] bytes) throws IOException {
      java.nio.file.Path f = local(p);
      java.nio.file.Path tmp = f.resolveSibling("." + f.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }

    @Override
    public void delete(Path p) throws IOException {
      Files.deleteIfExists(local(p));
    }
  }

  /** A Hadoop file system: HDFS creates without overwrite atomically, and renames over a file atomically. */
  private static final class HadoopStore implements Store {
    private final FileSystem fs;
    private final Configuration conf;

    HadoopStore(FileSystem fs, Configuration conf) {
      this.fs = fs;
      this.conf = conf;
    }

    @Override
    public boolean createNew(Path p, byte[] bytes) throws IOException {
      OutputStream out;
      try {
        out = fs.create(p, false);
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
        return false;
      } catch (IOException e) {
        // HDFS answers a create racing another client's with AlreadyBeingCreatedException (wrapped remotely).
        if (fs.exists(p)) return false;
        throw e;
      }
      try (OutputStream o = out) {
        o.write(bytes);
      }
      return true;
    }

    @Override
    public Optional<Stored> read(Path p) throws IOException {
      FileStatus st;
      try {
        st = fs.getFileStatus(p);
      } catch (FileNotFoundException e) {
        return Optional.empty();
      }
      try (var in = fs.open(p)) {
        return Optional.of(new Stored(in.readAllBytes(), st.getModificationTime()));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException e) {
        // Still being written by its creator: present, content not yet readable.
        return Optional.of(new Stored(new byte[0], st.getModificationTime()));
      }
    }

    @Override
    public void replace(Path p, byte[] bytes) throws IOException {
      Path tmp = new Path(p.getParent(), "." + p.getName() + "." + UUID.randomUUID() + ".tmp");
      try {
        try (OutputStream out = fs.create(tmp, false)) {
          out.write(bytes);
        }
        FileContext.getFileContext(fs.getUri(), conf).rename(tmp, p, Options.Rename.OVERWRITE);
      } finally {
        if (fs.exists(tmp)) fs.delete(tmp, false);
      }
    }

    @Override
    public void delete(Path p) throws IOException {
      fs.delete(p, false);
    }
  }
}
