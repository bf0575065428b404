package org.tinybert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.testing.MiniHdfs;

/**
 * {@link OutputHold} on the local file system and on an in-process HDFS: the same cases run on both ({@link Cases}).
 */
class OutputHoldTest {
  static final Duration LIMIT = Duration.ofMinutes(3);
  static final String APP = "app-20261205-0001";

  /** The cases, on whatever file system {@link #fs()} and {@link #dir()} give. */
  abstract static class Cases {
    abstract FileSystem fs();

    abstract Path dir(String name) throws IOException;

    Configuration conf() {
      return fs().getConf();
    }

    OutputHold take(Path output) throws IOException {
      return OutputHold.take(output, conf(), LIMIT, APP, null);
    }

    /** A hold file as another run would have left it. */
    void plant(Path output, OutputHold.Holder h) throws IOException {
      try (var out = fs().create(OutputHold.fileOf(output), true)) {
        out.write(OutputHold.bytes(h));
      }
    }

    OutputHold.Holder read(Path output) throws IOException {
      Path f = OutputHold.fileOf(output);
      return OutputHold.parse(new OutputHold.Stored(fs().open(f).readAllBytes(),
          fs().getFileStatus(f).getModificationTime()));
    }

    static OutputHold.Holder holder(String host, long pid, String app, String attempt, Instant heartbeat) {
      return new OutputHold.Holder(host, pid, null, "planted-token", app, attempt, heartbeat.minusSeconds(60),
          heartbeat);
    }

    @Test
    void aRunHoldsItsOutputAndReleasesIt() throws IOException {
      Path out = dir("released");
      Path file;
      try (OutputHold hold = take(out)) {
        file = hold.file();
        assertTrue(fs().exists(file));
        OutputHold.Holder h = read(out);
        assertEquals(ProcessHandle.current().pid(), h.pid());
        assertEquals(APP, h.applicationId());
        assertEquals(hold.holder().token(), h.token());
        hold.check();
      }
      assertFalse(fs().exists(file), "released at the end");
      try (OutputHold again = take(out)) {
        again.check();
      }
    }

    @Test
    void aLiveHoldIsRefusedNamingItsHolderAndLeftAsItWas() throws IOException {
      Path out = dir("live");
      try (OutputHold first = take(out)) {
        // Same JVM, same host and pid: only the run token tells the two runs apart.
        OutputHeldException e = assertThrows(OutputHeldException.class, () -> take(out));
        assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        assertTrue(e.getMessage().contains("application " + APP), e.getMessage());
        assertTrue(e.getMessage().contains("since " + first.holder().since()), e.getMessage());
        assertTrue(e.getMessage().contains(first.holder().host()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(first.holder().token(), read(out).token());
        first.check();
      }
    }

    @Test
    void aHoldOfALiveProcessElsewhereIsRefused() throws IOException {
      Path out = dir("elsewhere");
      plant(out, holder("another-host.example", 4242, "app-other", null, Instant.now()));
      OutputHeldException e = assertThrows(OutputHeldException.class, () -> take(out));
      assertTrue(e.getMessage().contains("host another-host.example, pid 4242, application app-other"),
          e.getMessage());
      assertEquals("planted-token", read(out).token());
    }

    @Test
    void aHoldOfALiveProcessOnThisHostIsRefused() throws IOException {
      Path out = dir("parent");
      long parent = ProcessHandle.current().parent().orElseThrow().pid();
      plant(out, holder(host(), parent, "app-other", null, Instant.now()));
      assertThrows(OutputHeldException.class, () -> take(out));
    }

    @Test
    void aHoldWithAnOldHeartbeatIsTakenOver() throws IOException {
      Path out = dir("stale");
      plant(out, holder("another-host.example", 4242, "app-other", null, Instant.now().minusSeconds(600)));
      try (OutputHold hold = take(out)) {
        assertEquals(hold.holder().token(), read(out).token());
        hold.check();
      }
    }

    @Test
    void aHoldOfADeadProcessOnThisHostIsTakenOverAtOnce() throws Exception {
      Path out = dir("dead");
      Process p = new ProcessBuilder("true").start();
      p.waitFor();
      plant(out, holder(host(), p.pid(), "app-other", null, Instant.now()));
      try (OutputHold hold = take(out)) {
        assertEquals(hold.holder().token(), read(out).token());
      }
    }

    @Test
    void anEarlierAttemptOfTheSameApplicationIsTakenOver() throws IOException {
      Path out = dir("attempt");
      String yarnApp = "application_1733380000000_0007";
      plant(out, holder("another-host.example", 4242, yarnApp, "1", Instant.now()));
      assertThrows(OutputHeldException.class, () -> OutputHold.take(out, conf(), LIMIT, yarnApp, "1"));
      assertThrows(OutputHeldException.class, () -> OutputHold.take(out, conf(), LIMIT, "application_2_0001", "2"));
      try (OutputHold hold = OutputHold.take(out, conf(), LIMIT, yarnApp, "2")) {
        assertEquals("2", read(out).attemptId());
      }
    }

    @Test
    void aHoldBeingWrittenCountsAsLiveUntilItsFileIsOld() throws IOException {
      Path out = dir("partial");
      fs().create(OutputHold.fileOf(out), true).close();
      OutputHeldException e = assertThrows(OutputHeldException.class, () -> take(out));
      assertTrue(e.getMessage().contains("unreadable hold"), e.getMessage());
      fs().setTimes(OutputHold.fileOf(out), System.currentTimeMillis() - 3_600_000L, -1);
      try (OutputHold hold = take(out)) {
        hold.check();
      }
    }

    @Test
    void theHeartbeatKeepsAHoldFresh() throws Exception {
      Path out = dir("heartbeat");
      Duration limit = Duration.ofMillis(1500);
      try (OutputHold hold = OutputHold.take(out, conf(), limit, APP, null)) {
        Thread.sleep(4000);
        OutputHold.Holder h = read(out);
        assertEquals(hold.holder().token(), h.token());
        assertTrue(Duration.between(h.heartbeat(), Instant.now()).compareTo(limit) < 0, "renewed: " + h);
        hold.check();
        assertThrows(OutputHeldException.class, () -> OutputHold.take(out, conf(), limit, APP, null));
      }
    }

    @Test
    void aRunWhoseHoldWasTakenOverStopsAtItsNextCheck() throws IOException {
      Path out = dir("lost");
      OutputHold hold = take(out);
      plant(out, holder("another-host.example", 4242, "app-other", null, Instant.now()));
      HoldLostException e = assertThrows(HoldLostException.class, hold::check);
      assertTrue(e.getMessage().contains("host another-host.example, pid 4242"), e.getMessage());
      assertFalse(hold.held());
      hold.close();
      assertEquals("planted-token", read(out).token(), "the new holder's file is left alone");
    }

    @Test
    void ofRunsRacingForAnOutputExactlyOneHoldsIt() throws Exception {
      Path free = dir("race-free");
      assertEquals(1, race(free));
      Path stale = dir("race-stale");
      plant(stale, holder("another-host.example", 4242, "app-other", null, Instant.now().minusSeconds(600)));
      assertEquals(1, race(stale));
    }

    /** Eight runs take the hold at once; returns how many got it (each keeps it until all have tried). */
    private int race(Path out) throws Exception {
      int n = 8;
      ExecutorService pool = Executors.newFixedThreadPool(n);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<OutputHold>> tries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<OutputHold> c = () -> {
          start.await();
          try {
            return take(out);
          } catch (OutputHeldException e) {
            return null;
          }
        };
        tries.add(pool.submit(c));
      }
      start.countDown();
      List<OutputHold> won = new ArrayList<>();
      for (Future<OutputHold> f : tries) {
        OutputHold h = f.get();
        if (h != null) won.add(h);
      }
      pool.shutdown();
      for (OutputHold h : won) {
        assertEquals(h.holder().token(), read(out).token());
        h.close();
      }
      return won.size();
    }
  }

  static String host() throws IOException {
    return java.net.InetAddress.getLocalHost().getHostName();
  }

  @Nested
  class Local extends Cases {
    @TempDir
    File tmp;

    @Override
    FileSystem fs() {
      try {
        // Raw: Hadoop's checksummed local file system would check the hold files against .crc files it wrote itself.
        return FileSystem.getLocal(new Configuration()).getRawFileSystem();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    Path dir(String name) {
      return new Path(new File(tmp, name).toURI());
    }

    /**
     * A run that cannot renew its heartbeat for longer than the limit (its file system out of reach; a driver that
     * stood still) counts as having lost the hold: another run may have taken it over meanwhile.
     */
    @Test
    void aRunThatCouldNotRenewItsHeartbeatPastTheLimitStops() throws Exception {
      Path out = dir("unreachable");
      try (OutputHold hold = OutputHold.take(out, conf(), Duration.ofMillis(800), APP, null)) {
        // The hold file replaced by a non-empty directory: neither readable nor replaceable.
        File f = new File(tmp, "unreachable" + OutputHold.SUFFIX);
        assertTrue(f.delete() && f.mkdir() && new File(f, "x").createNewFile());
        Thread.sleep(1500);
        HoldLostException e = assertThrows(HoldLostException.class, hold::check);
        assertTrue(e.getMessage().contains("its heartbeat was last renewed"), e.getMessage());
      }
    }

    @Test
    void theHoldFileIsPlainJsonBesideTheOutput() throws IOException {
      Path out = dir("plain");
      try (OutputHold hold = take(out)) {
        byte[] onDisk = Files.readAllBytes(new File(tmp, "plain" + OutputHold.SUFFIX).toPath());
        assertTrue(new String(onDisk, java.nio.charset.StandardCharsets.UTF_8).contains(hold.holder().token()));
        assertFalse(new File(tmp, ".plain.hold.crc").exists(), "no checksum file to go stale");
        assertArrayEquals(onDisk, fs().open(hold.file()).readAllBytes());
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Hdfs extends Cases {
    MiniHdfs hdfs;
    @TempDir
    File base;

    @BeforeAll
    void start() throws IOException {
      hdfs = MiniHdfs.start(base);
    }

    @AfterAll
    void stop() {
      if (hdfs != null) hdfs.close();
    }

    @Override
    FileSystem fs() {
      return hdfs.fs();
    }

    @Override
    Path dir(String name) {
      return hdfs.fs().makeQualified(new Path("/holds/" + name));
    }
  }
}
