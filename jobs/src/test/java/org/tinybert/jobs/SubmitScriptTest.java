package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/spark/submit.sh's arguments to spark-submit, for every cluster manager, with a stand-in spark-submit that
 * prints them. Standalone and YARN also run for real in the cluster tests (StandaloneClusterIT, YarnClusterIT);
 * Kubernetes cannot run here, so these checks are all it gets.
 */
class SubmitScriptTest {
  private static final Path SCRIPT = Path.of(System.getProperty("tinybert.root", "..")).toAbsolutePath().normalize()
      .resolve("deploy/spark/submit.sh");

  @TempDir Path tmp;
  Path sparkHome;
  Path jar;

  record Result(int exit, List<String> args, String err) {
    /** The value after the first {@code flag}. */
    String after(String flag) {
      int i = args.indexOf(flag);
      return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
    }

    boolean conf(String keyValue) {
      for (int i = 0; i + 1 < args.size(); i++) {
        if (args.get(i).equals("--conf") && args.get(i + 1).equals(keyValue)) return true;
      }
      return false;
    }

    boolean confKey(String key) {
      return args.stream().anyMatch(a -> a.startsWith(key + "="));
    }
  }

  @BeforeEach
  void fakeSparkHome() throws Exception {
    sparkHome = tmp.resolve("spark");
    Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
    Files.writeString(submit, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    jar = Files.writeString(tmp.resolve("tinybert-app.jar"), "");
  }

  Result submit(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("EXECUTOR") || k.startsWith("DRIVER")
        || List.of("SPARK_MASTER_URL", "K8S_IMAGE", "EXTRA_CONF", "JAVA_OPTIONS", "QUEUE").contains(k));
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("APP_JAR", jar.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out.lines().toList(), err);
  }

  @Test
  void yarnRunsTheDriverInTheClusterWithItsOwnOffHeapAndThreadSettings() throws Exception {
    Result r = submit(Map.of("QUEUE", "ml", "DRIVER_OFFHEAP", "3g"), "yarn", "cpu", "general-distill", "--epochs",
        "1");
    assertEquals(0, r.exit(), r.err());
    assertEquals("yarn", r.after("--master"));
    assertEquals("cluster", r.after("--deploy-mode"));
    assertEquals("ml", r.after("--queue"));
    assertTrue(r.conf("spark.driver.memoryOverhead=3g"), r.args().toString());
    assertTrue(r.conf("spark.yarn.appMasterEnv.OMP_WAIT_POLICY=PASSIVE"), r.args().toString());
    assertTrue(r.args().stream().anyMatch(a -> a.startsWith("spark.driver.extraJavaOptions=")
        && a.contains("-Dorg.bytedeco.javacpp.maxbytes=" + (3L << 30)) && a.contains("--add-opens=java.base/sun.nio.ch")));
    // The application jar, then the command line, untouched.
    assertEquals(List.of(jar.toString(), "general-distill", "--epochs", "1"),
        r.args().subList(r.args().size() - 4, r.args().size()));
  }

  @Test
  void kubernetesNeedsAMasterUrlAndAnImageAndSetsTheDriversEnvironment() throws Exception {
    Result missing = submit(Map.of(), "k8s", "cpu", "general-distill");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("SPARK_MASTER_URL"), missing.err());
    Result noImage = submit(Map.of("SPARK_MASTER_URL", "k8s://https://api:443"), "k8s", "cpu", "general-distill");
    assertEquals(1, noImage.exit());
    assertTrue(noImage.err().contains("K8S_IMAGE"), noImage.err());

    Result r = submit(Map.of("SPARK_MASTER_URL", "k8s://https://api:443", "K8S_IMAGE", "repo/tinybert:1"), "k8s",
        "cpu", "task-distill");
    assertEquals(0, r.exit(), r.err());
    assertEquals("k8s://https://api:443", r.after("--master"));
    assertEquals("cluster", r.after("--deploy-mode"));
    assertTrue(r.conf("spark.kubernetes.container.image=repo/tinybert:1"), r.args().toString());
    assertTrue(r.conf("spark.kubernetes.driverEnv.OMP_WAIT_POLICY=PASSIVE"), r.args().toString());
    assertTrue(r.confKey("spark.driver.memoryOverhead"), r.args().toString());
    assertFalse(r.confKey("spark.executor.resource.gpu.amount"), "cpu asks for no GPU");
  }

  @Test
  void standaloneRunsTheDriverWhereSubmitted() throws Exception {
    Result r = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077", "EXECUTORS", "3", "EXECUTOR_CORES", "2"),
        "standalone", "cpu", "augment");
    assertEquals(0, r.exit(), r.err());
    assertEquals("spark://m:7077", r.after("--master"));
    assertEquals("client", r.after("--deploy-mode"));
    assertEquals("3", r.after("--num-executors"));
    assertEquals("2", r.after("--executor-cores"));
    // One training task per executor: a task takes every core of its executor.
    assertTrue(r.conf("spark.task.cpus=2"), r.args().toString());
    assertTrue(r.conf("spark.executorEnv.OMP_NUM_THREADS=2"), r.args().toString());
  }

  @Test
  void theRoundsResultsAreNotLimited() throws Exception {
    for (String cluster : List.of("yarn", "standalone")) {
      Result r = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077"), cluster, "cpu", "general-distill");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.conf("spark.driver.maxResultSize=0"), r.args().toString());
    }
  }

  @Test
  void aJarOfOneSparkLineIsRefusedWithASparkHomeOfTheOther() throws Exception {
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.writeString(sparkHome.resolve("jars/scala-library-2.13.18.jar"), "");
    Map<String, String> env = Map.of("SPARK_MASTER_URL", "spark://m:7077");
    appJar("2.13");
    assertEquals(0, submit(env, "standalone", "cpu", "general-distill").exit());
    appJar("2.12");
    Result r = submit(env, "standalone", "cpu", "general-distill");
    assertEquals(1, r.exit(), r.args().toString());
    assertTrue(r.err().contains("is built for Scala 2.12, Spark 3.5 (-Pspark-3.5); SPARK_HOME " + sparkHome
        + " runs Scala 2.13: rebuild the jar for Spark 4 (the default build)"), r.err());
  }

  /** An application jar whose manifest names the Scala version it was built for, as the app-jar build writes it. */
  void appJar(String scala) throws Exception {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().putValue("Scala-Binary-Version", scala);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
      out.putNextEntry(new JarEntry("org/tinybert/jobs/Main.class"));
      out.closeEntry();
    }
  }

  @Test
  void gpuAsksOneGpuPerExecutorAndPerTask() throws Exception {
    Result r = submit(Map.of("SPARK_MASTER_URL", "k8s://https://api:443", "K8S_IMAGE", "i"), "k8s", "gpu",
        "general-distill");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.conf("spark.executor.resource.gpu.amount=1") && r.conf("spark.task.resource.gpu.amount=1"),
        r.args().toString());
    assertEquals("1", r.after("--executor-cores"));
  }

  @Test
  void extraConfIsSplitOnSpacesButNeverGlobExpanded() throws Exception {
    Files.writeString(tmp.resolve("a-file"), "");
    Result r = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077", "EXTRA_CONF",
        "--conf spark.yarn.jars=local:" + tmp + "/* --conf spark.x=1"), "standalone", "cpu", "predict");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.conf("spark.yarn.jars=local:" + tmp + "/*"), r.args().toString());
    assertTrue(r.conf("spark.x=1"), r.args().toString());
  }

  @Test
  void javaOptionsGoToTheDriverAndTheExecutorsAfterTheirOwnFlags() throws Exception {
    Result plain = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077"), "standalone", "cpu", "predict");
    Result r = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077", "JAVA_OPTIONS", "-Xlog:gc -XX:+UseParallelGC"),
        "standalone", "cpu", "predict");
    assertEquals(0, r.exit(), r.err());
    for (String side : List.of("driver", "executor")) {
      String key = "spark." + side + ".extraJavaOptions=";
      String before = plain.args().stream().filter(a -> a.startsWith(key)).findFirst().orElseThrow();
      // The script's own flags (module opens, ND4J's off-heap caps) stay, the user's come last.
      assertTrue(r.conf(before + " -Xlog:gc -XX:+UseParallelGC"), r.args().toString());
      assertTrue(before.contains("maxphysicalbytes"), before);
    }
  }

  @Test
  void javaCppsCapsAreInBytesAndThePhysicalOneIsTheHeapAndTheOffHeapTogether() throws Exception {
    // JavaCPP counts the resident Java heap against maxphysicalbytes; with the off-heap size alone a 7g-heap
    // executor stopped at its first step. A plain number is MiB, as Spark reads these sizes.
    Result r = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077", "EXECUTOR_MEMORY", "7g", "EXECUTOR_OFFHEAP", "4096",
        "DRIVER_MEMORY", "512m", "DRIVER_OFFHEAP", "3g"), "standalone", "cpu", "predict");
    assertEquals(0, r.exit(), r.err());
    String executor = r.args().stream().filter(a -> a.startsWith("spark.executor.extraJavaOptions=")).findFirst()
        .orElseThrow();
    String driver = r.args().stream().filter(a -> a.startsWith("spark.driver.extraJavaOptions=")).findFirst()
        .orElseThrow();
    // Both in bytes: JavaCPP would read a plain 4096 as bytes.
    assertTrue(executor.contains(" -Dorg.bytedeco.javacpp.maxbytes=" + (4L << 30)
        + " -Dorg.bytedeco.javacpp.maxphysicalbytes=" + (11L << 30)), executor);
    assertTrue(driver.contains(" -Dorg.bytedeco.javacpp.maxbytes=" + (3L << 30)
        + " -Dorg.bytedeco.javacpp.maxphysicalbytes=" + ((512L << 20) + (3L << 30))), driver);
    for (String key : List.of("EXECUTOR_MEMORY", "EXECUTOR_OFFHEAP", "DRIVER_MEMORY", "DRIVER_OFFHEAP")) {
      Result bad = submit(Map.of("SPARK_MASTER_URL", "spark://m:7077", key, "1.5g"), "standalone", "cpu", "predict");
      assertEquals(2, bad.exit(), key);
      assertEquals(key + " must be a size such as 512m or 8g, found '1.5g'", bad.err().strip());
      assertTrue(bad.args().isEmpty(), "spark-submit ran: " + bad.args());
    }
  }

  @Test
  void badArgumentsAreRefusedWithWhatWasExpected() throws Exception {
    Result usage = submit(Map.of());
    assertEquals(2, usage.exit());
    assertTrue(usage.args().stream().anyMatch(l -> l.contains("submit.sh <yarn|k8s|standalone> <cpu|gpu>")),
        usage.args().toString());
    Result kind = submit(Map.of(), "yarn", "tpu", "general-distill");
    assertEquals(2, kind.exit());
    assertTrue(kind.err().contains("kind must be cpu or gpu, found tpu"), kind.err());
    Result cluster = submit(Map.of(), "mesos", "cpu", "general-distill");
    assertEquals(2, cluster.exit());
    assertTrue(cluster.err().contains("cluster must be yarn, k8s or standalone, found mesos"), cluster.err());
    Result noJar = submit(Map.of("APP_JAR", tmp.resolve("none.jar").toString()), "yarn", "cpu", "x");
    assertEquals(1, noJar.exit());
    assertTrue(noJar.err().contains("no application jar at"), noJar.err());
  }
}
