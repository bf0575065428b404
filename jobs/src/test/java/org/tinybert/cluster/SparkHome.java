package org.tinybert.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Spark home the cluster tests run: {@code deploy/spark/home}, whose {@code jars/} Maven fills with one Spark
 * line's own closure at the versions a distribution ships (Spark 4 and Scala 2.13, or Spark 3.5 and Scala 2.12 under
 * {@code -Pspark-3.5}: {@code mvn -f deploy/spark/home/pom.xml package}, or the {@code cluster} profile), beside its
 * {@code bin/spark-submit}, {@code bin/spark-class} and {@code conf/}.
 */
public final class SparkHome {
  private static final Pattern SCALA_LIBRARY = Pattern.compile("scala-library-(\\d+\\.\\d+)\\.[^-]+\\.jar");

  private SparkHome() {}

  /** The project's root (the build passes it; tests run from a module directory otherwise). */
  public static Path projectRoot() {
    return Path.of(System.getProperty("tinybert.root", "..")).toAbsolutePath().normalize();
  }

  /**
   * The Spark home, checked to hold Spark's jars including YARN support, built for the Scala version these tests run
   * on (the application jar is built from the same classes, so a home of the other line would fail far from the
   * cause); fails saying how to assemble it.
   */
  public static Path locate() {
    Path home = Path.of(System.getProperty("tinybert.spark.home",
        projectRoot().resolve("deploy/spark/home").toString())).toAbsolutePath().normalize();
    Path jars = home.resolve("jars");
    String assemble = "assemble the Spark home with mvn -q -B -f " + projectRoot().resolve("deploy/spark/home/pom.xml")
        + " package" + ("2.12".equals(scalaVersion()) ? " -Pspark-3.5" : "");
    String homeScala = scalaVersion(jars);
    if (homeScala == null) throw new IllegalStateException("no scala-library-*.jar in " + jars + ": " + assemble);
    if (!homeScala.equals(scalaVersion())) {
      throw new IllegalStateException("the Spark home " + home + " is built for Scala " + homeScala + ", these tests "
          + "run on Scala " + scalaVersion() + ": " + assemble);
    }
    for (String artifact : new String[] {"spark-core", "spark-yarn", "spark-launcher"}) {
      String jar = artifact + "_" + homeScala + "-";
      if (!hasJar(jars, jar)) throw new IllegalStateException("no " + jar + "*.jar in " + jars + ": " + assemble);
    }
    return home;
  }

  /** The Scala binary version (2.12, 2.13) of the Scala library these tests run on: the line they were built for. */
  public static String scalaVersion() {
    return scala.util.Properties.versionNumberString().replaceFirst("^(\\d+\\.\\d+)\\..*$", "$1");
  }

  /** The Scala binary version of the {@code scala-library-*.jar} in {@code jars}, or null where there is none. */
  static String scalaVersion(Path jars) {
    if (!Files.isDirectory(jars)) return null;
    try (Stream<Path> s = Files.list(jars)) {
      return s.map(p -> SCALA_LIBRARY.matcher(p.getFileName().toString())).filter(Matcher::matches)
          .map(m -> m.group(1)).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
