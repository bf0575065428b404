package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/bin/tinybert, run from a copy inside a scratch repository whose {@code java} only prints its arguments, so
 * what the launcher decides is visible without starting a JVM.
 */
class LauncherTest {
  private static final Path REPO = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

  @TempDir Path root;
  private Path launcher;

  record Result(int exit, List<String> out, String err) {}

  @BeforeEach
  void copyLauncher() throws IOException {
    launcher = root.resolve("deploy/bin/tinybert");
    Files.createDirectories(launcher.getParent());
    Files.copy(REPO.resolve("deploy/bin/tinybert"), launcher);
  }

  private void fakeBuild() throws IOException {
    Files.createDirectories(root.resolve("jobs/target/lib"));
    Files.writeString(root.resolve("jobs/target/tinybert-jobs.jar"), "");
    Path java = root.resolve("jdk/bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    for (String k : List.of("SPARK_MASTER", "TINYBERT_HEAP", "TINYBERT_OFFHEAP", "TINYBERT_PHYSICAL",
        "TINYBERT_JAVA_OPTS", "TINYBERT_AUTOBUILD")) {
      pb.environment().remove(k);
    }
    pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out.lines().toList(), err);
  }

  @Test
  void opensAreThoseOfTheParentPom() throws IOException {
    Matcher m = Pattern.compile("<jvm.opens>([^<]*)</jvm.opens>")
        .matcher(Files.readString(REPO.resolve("pom.xml")));
    assertTrue(m.find(), "no jvm.opens in pom.xml");
    List<String> pom = List.of(m.group(1).trim().split("\\s+"));
    List<String> script = Files.readAllLines(REPO.resolve("deploy/bin/tinybert")).stream()
        .map(String::strip).filter(l -> l.startsWith("--add-opens=")).toList();
    assertEquals(pom, script);
  }

  @Test
  void withoutABuildItSaysHowToBuildAndExits1() throws Exception {
    Result r = run(Map.of(), "--help");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("cd " + root.toRealPath() + " && mvn -q -B package -DskipTests"), r.err());
    assertTrue(r.err().contains("TINYBERT_AUTOBUILD=1"), r.err());
  }

  @Test
  void defaultsRunMainOnLocalSparkWithTheArgumentsLast() throws Exception {
    fakeBuild();
    Result r = run(Map.of(), "forward", "--model", "a b");
    assertEquals(0, r.exit(), r.err());
    List<String> a = r.out();
    assertTrue(a.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), a.toString());
    assertTrue(a.contains("-Dspark.master=local[*]"), a.toString());
    // Charts (tinybert report) are drawn into images; never to an X server $DISPLAY may name.
    assertTrue(a.contains("-Djava.awt.headless=true"), a.toString());
    assertTrue(a.contains("-Xmx4g"), a.toString());
    assertTrue(a.contains("-Dorg.bytedeco.javacpp.maxbytes=8G"), a.toString());
    assertTrue(a.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + (12L << 30)), a.toString());
    String jobs = root.toRealPath().resolve("jobs/target").toString();
    assertEquals(List.of("-cp", jobs + "/tinybert-jobs.jar:" + jobs + "/lib/*", "org.tinybert.jobs.Main",
        "forward", "--model", "a b"), a.subList(a.size() - 6, a.size()));
  }

  @Test
  void memoryAndMasterComeFromTheEnvironment() throws Exception {
    fakeBuild();
    Result r = run(Map.of("TINYBERT_HEAP", "2g", "TINYBERT_OFFHEAP", "512m", "SPARK_MASTER", "spark://h:7077"));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("-Xmx2g"), r.out().toString());
    assertTrue(r.out().contains("-Dorg.bytedeco.javacpp.maxbytes=512m"), r.out().toString());
    assertTrue(r.out().contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + ((2L << 30) + (512L << 20))));
    assertTrue(r.out().contains("-Dspark.master=spark://h:7077"), r.out().toString());
    assertFalse(r.out().contains("-Dspark.master=local[*]"), r.out().toString());
  }

  @Test
  void aMasterInJavaOptionsIsLeftAlone() throws Exception {
    fakeBuild();
    Result r = run(Map.of("TINYBERT_JAVA_OPTS", "-Dspark.master=yarn -Dx=1"));
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("-Dspark.master=yarn"),
        r.out().stream().filter(s -> s.startsWith("-Dspark.master=")).toList());
    assertTrue(r.out().contains("-Dx=1"), r.out().toString());
  }

  @Test
  void badSizeIsRefused() throws Exception {
    fakeBuild();
    Result r = run(Map.of("TINYBERT_OFFHEAP", "8x"));
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("cannot read the size '8x'"), r.err());
    assertEquals(List.of(), r.out());
  }
}
