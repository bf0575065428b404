package org.tinybert.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code deploy/spark/submit.sh <cluster> cpu <command> ...} as a user runs it, with the Spark home's real
 * {@code spark-submit}; the cluster's address and sizes go in as the environment variables the script documents.
 * Output (spark-submit's and, in client mode, the driver's) goes to a log file.
 */
public final class Submission {
  private final String cluster;
  private final List<String> args;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> extraConf = new ArrayList<>();
  private final Path log;

  /** The exit status and everything printed. */
  public record Result(int exit, String output) {}

  /**
   * @param cluster {@code standalone} or {@code yarn}
   * @param log where the output goes
   * @param args the tinybert command and its options
   */
  public Submission(String cluster, Path sparkHome, Path log, List<String> args) {
    this.cluster = cluster;
    this.args = List.copyOf(args);
    this.log = log;
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("APP_JAR", SparkHome.appJar().toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    // Sized for this 2-core test machine and tiny models; real clusters keep submit.sh's defaults.
    env.put("EXECUTORS", "2");
    env.put("EXECUTOR_CORES", "1");
    env.put("EXECUTOR_MEMORY", "1g");
    env.put("EXECUTOR_OFFHEAP", "1g");
    env.put("DRIVER_MEMORY", "1g");
  }

  public Submission env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** One more {@code --conf key=value} (no spaces: submit.sh splits EXTRA_CONF on them). */
  public Submission conf(String key, String value) {
    extraConf.add("--conf");
    extraConf.add(key + "=" + value);
    return this;
  }

  public Path log() {
    return log;
  }

  /** Starts it; the returned process is spark-submit's JVM (submit.sh and spark-class exec into it). */
  public Process start() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(SparkHome.projectRoot().resolve("deploy/spark/submit.sh").toString(),
        cluster, "cpu"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    if (!extraConf.isEmpty()) pb.environment().put("EXTRA_CONF", String.join(" ", extraConf));
    return pb.start();
  }

  /** Runs it to the end; a run past {@code timeout} is killed (with everything it started) and fails the test. */
  public Result run(Duration timeout) throws IOException, InterruptedException {
    Process p = start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      Processes.stopTree(p, Duration.ofSeconds(5));
      throw new IllegalStateException("spark-submit " + args + " ran past " + timeout + "; its log " + log + ":\n"
          + tail(Files.readString(log), 80));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  /** The last {@code lines} lines of a text, for failure messages. */
  public static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
