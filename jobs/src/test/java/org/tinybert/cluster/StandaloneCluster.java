package org.tinybert.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on this machine, for tests: a Master and {@code workers} Workers, each its own JVM
 * started through the Spark home's {@code bin/spark-class} (so through Spark's launcher, as {@code start-master.sh}
 * and {@code start-worker.sh} would), bound to 127.0.0.1 on free ports. Workers launch executors as child JVMs.
 * {@link #close()} stops every process it started, executors included.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path sparkHome;
  private final Path dir;
  private final int masterPort = Processes.freePort();
  private final int masterUiPort = Processes.freePort();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  private StandaloneCluster(Path sparkHome, Path dir) {
    this.sparkHome = sparkHome;
    this.dir = dir;
  }

  /**
   * Starts a Master and {@code workers} Workers of {@code cores} cores and {@code memory} (e.g. "3g") each, with logs
   * and work directories under {@code dir}; returns once the Master reports every Worker alive.
   */
  public static StandaloneCluster start(Path sparkHome, Path dir, int workers, int cores, String memory)
      throws IOException, InterruptedException {
    StandaloneCluster c = new StandaloneCluster(sparkHome, dir);
    try {
      Files.createDirectories(dir);
      c.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
          String.valueOf(c.masterPort), "--webui-port", String.valueOf(c.masterUiPort));
      c.awaitAliveWorkers(0);
      for (int i = 0; i < workers; i++) {
        Path work = dir.resolve("worker-" + i);
        Files.createDirectories(work);
        c.launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
            String.valueOf(cores), "--memory", memory, "--work-dir", work.toString(), "--webui-port",
            String.valueOf(Processes.freePort()), c.masterUrl());
      }
      c.awaitAliveWorkers(workers);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Master's state as its web UI's {@code /json/} reports it (workers, active and completed applications). */
  public JsonNode masterState() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
        .timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) throw new IOException("master UI answered " + r.statusCode());
    return JSON.readTree(r.body());
  }

  /** Everything the Master and the Workers logged (executors log into the Workers' work directories). */
  public String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (Path log : logs) b.append("==> ").append(log).append('\n').append(Files.readString(log));
    return b.toString();
  }

  private void launch(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(sparkHome.resolve("bin/spark-class").toString(), mainClass));
    cmd.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_DAEMON_MEMORY", "512m");
    logs.add(log);
    processes.add(pb.start());
  }

  private void awaitAliveWorkers(int n) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) throw new IllegalStateException("a cluster process exited (" + p.exitValue() + "):\n" + logs());
      }
      try {
        JsonNode s = masterState();
        int alive = s.path("aliveworkers").asInt(-1);
        if (alive >= n) return;
        last = alive + " alive worker(s)";
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the cluster did not come up in " + START_TIMEOUT + " (" + last + "):\n" + logs());
  }

  @Override
  public void close() {
    // Workers first (each takes its executors down), then the Master.
    for (int i = processes.size() - 1; i >= 0; i--) Processes.stopTree(processes.get(i), Duration.ofSeconds(10));
  }
}
