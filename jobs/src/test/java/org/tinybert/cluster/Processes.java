package org.tinybert.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Small process and port helpers for the cluster harness. */
final class Processes {
  private Processes() {}

  /** A TCP port free on 127.0.0.1 right now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port: " + e.getMessage(), e);
    }
  }

  /**
   * Stops a process and every process it started (a Worker's executors, spark-submit's driver), politely first:
   * SIGTERM lets a Worker kill its executors and a JVM run its shutdown hooks; whatever is left after
   * {@code grace} is killed.
   */
  static void stopTree(Process p, Duration grace) {
    if (p == null) return;
    var descendants = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : descendants) {
      if (h.isAlive()) h.destroyForcibly();
    }
  }
}
