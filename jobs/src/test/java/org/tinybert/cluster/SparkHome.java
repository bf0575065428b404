package org.tinybert.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The Spark home the cluster tests run: {@code deploy/spark/home}, whose {@code jars/} Maven fills with Spark 3.5's own
 * closure at the versions a distribution ships ({@code mvn -f deploy/spark/home/pom.xml package}, or the
 * {@code cluster} profile), beside its {@code bin/spark-submit}, {@code bin/spark-class} and {@code conf/}.
 */
public final class SparkHome {
  private SparkHome() {}

  /** The project's root (the build passes it; tests run from a module directory otherwise). */
  public static Path projectRoot() {
    return Path.of(System.getProperty("tinybert.root", "..")).toAbsolutePath().normalize();
  }

  /** The Spark home, checked to hold Spark's jars including YARN support; fails saying how to assemble it. */
  public static Path locate() {
    Path home = Path.of(System.getProperty("tinybert.spark.home",
        projectRoot().resolve("deploy/spark/home").toString())).toAbsolutePath().normalize();
    for (String jar : new String[] {"spark-core_2.12-", "spark-yarn_2.12-", "spark-launcher_2.12-"}) {
      if (!hasJar(home.resolve("jars"), jar)) {
        throw new IllegalStateException("no " + jar + "*.jar in " + home.resolve("jars") + ": assemble the Spark home "
            + "with mvn -q -B -f " + projectRoot().resolve("deploy/spark/home/pom.xml") + " package");
      }
    }
    return home;
  }

  /**
   * A fresh directory for one test class's logs and outputs, kept after the run for inspection:
   * {@code jobs/target/cluster-tests/<name>} under Maven.
   */
  public static Path workDir(String name) throws IOException {
    Path base = Path.of(System.getProperty("tinybert.cluster.dir",
        projectRoot().resolve("jobs/target/cluster-tests").toString()));
    Path dir = base.resolve(name).toAbsolutePath().normalize();
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    return Files.createDirectories(dir);
  }

  /** The application jar spark-submit ships ({@code mvn -Papp-jar package}). */
  public static Path appJar() {
    Path jar = projectRoot().resolve("jobs/target/tinybert-app.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no application jar at " + jar + ": build it with mvn -q -B -Papp-jar package "
          + "-DskipTests");
    }
    return jar;
  }

  private static boolean hasJar(Path dir, String prefix) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
