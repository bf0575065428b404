package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tinybert.PackageCyclesTest;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.SettingsReference;
import org.tinybert.io.HadoopIO;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * One name per setting (issue 21): a full key is spelled only by {@link Key} and {@link Section}, and every key of
 * {@code reference.conf} belongs to a descriptor that code can name it by.
 */
class SettingsKeysTest {
  /**
   * A key such as {@code tinybert.infer.format}: the namespace, then a name that {@code reference.conf} has at its top
   * level, so that {@code org.tinybert.model} and {@code tinybert.jar} are not taken for keys.
   */
  private static final Pattern KEY_IN_TEXT = Pattern.compile("(?<![\\w./-])" + Key.NAMESPACE + "\\.("
      + String.join("|", SettingsReference.config().getObject(Key.NAMESPACE).keySet()) + ")(?![\\w-])");

  /** Keys no code reads: reference.conf's own substitutions use them. */
  private static final Set<String> ONLY_IN_REFERENCE = Set.of(Key.top("sample-dir").full());

  @Test
  void noKeyIsSpelledInMainSourcesOutsideTheDescriptors() throws IOException {
    List<Path> roots = List.of(Path.of("src/main/java"), Path.of("../common/src/main/java"));
    List<String> found = new ArrayList<>();
    int files = 0;
    for (Path root : roots) {
      assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is not a directory");
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          String rel = root.relativize(p).toString().replace('\\', '/');
          if (rel.startsWith("org/tinybert/settings/")) continue;
          files++;
          for (int line : keyLiteralLines(Files.readString(p, StandardCharsets.UTF_8))) {
            found.add(root.resolve(rel).normalize() + ":" + line);
          }
        }
      }
    }
    assertTrue(files > 100, "only " + files + " source files found; is the working directory the jobs module?");
    assertEquals("", String.join("\n", found),
        "full keys spelled in string literals; name them with org.tinybert.settings.Key or Section");
  }

  @Test
  void theScanSeesKeysInLiteralsButNotInCommentsOrPackageNames() {
    String src = """
        // tinybert.infer.format in a comment
        /* "tinybert.forward.cased" in a block comment */
        String a = "org.tinybert.model";
        String b = "see tinybert.jar";
        String c = "set tinybert.infer.bad-rows = skip";
        char q = '"'; String d = "x\\"tinybert.forward.cased";
        """;
    assertEquals(List.of(5, 6), keyLiteralLines(src));
  }

  @Test
  void everyReferenceKeyIsReachableThroughADescriptor() throws Exception {
    List<Section> sections = new ArrayList<>();
    List<Key> keys = new ArrayList<>();
    for (Class<?> c : classesWithDescriptors()) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) continue;
        if (f.getType() == Section.class) {
          f.setAccessible(true);
          sections.add((Section) f.get(null));
        } else if (f.getType() == Key.class) {
          f.setAccessible(true);
          keys.add((Key) f.get(null));
        }
      }
    }
    assertFalse(sections.isEmpty(), "no Section constants found");
    Set<String> unreachable = new TreeSet<>();
    for (String key : SettingsReference.keys(SettingsLoader.NAMESPACE)) {
      boolean reachable = ONLY_IN_REFERENCE.contains(key)
          || keys.stream().anyMatch(k -> k.full().equals(key))
          || sections.stream().anyMatch(s -> !s.equals(Section.TOP) && key.startsWith(s.full() + "."));
      if (!reachable) unreachable.add(key);
    }
    assertEquals(Set.of(), unreachable, "reference.conf keys that no Section or Key constant names");
  }

  /** The classes of common and jobs that declare a static Section or Key, found without initialising the rest. */
  private static List<Class<?>> classesWithDescriptors() throws IOException, URISyntaxException {
    List<Class<?>> out = new ArrayList<>();
    ClassLoader loader = SettingsKeysTest.class.getClassLoader();
    for (Path root : List.of(PackageCyclesTest.classesOf(HadoopIO.class), PackageCyclesTest.classesOf(Main.class))) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.filter(f -> f.toString().endsWith(".class")).toList()) {
          String name = root.relativize(p).toString().replace('\\', '/').replace('/', '.');
          name = name.substring(0, name.length() - ".class".length());
          if (name.endsWith("package-info")) continue;
          Class<?> c;
          try {
            c = Class.forName(name, false, loader);
          } catch (ClassNotFoundException | LinkageError e) {
            continue;
          }
          for (Field f : c.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && (f.getType() == Section.class || f.getType() == Key.class)) {
              out.add(c);
              break;
            }
          }
        }
      }
    }
    return out;
  }

  /** The 1-based lines of string literals (text blocks included) in {@code src} that contain a full key. */
  static List<Integer> keyLiteralLines(String src) {
    List<Integer> lines = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (src.startsWith("//", i)) {
        while (i < n && src.charAt(i) != '\n') i++;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(src, i, end);
        i = end;
      } else if (c == '\'') {
        int j = i + 1;
        while (j < n && src.charAt(j) != '\'') j += src.charAt(j) == '\\' ? 2 : 1;
        i = Math.min(n, j + 1);
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        if (KEY_IN_TEXT.matcher(src.substring(i, end)).find()) lines.add(line);
        line += count(src, i, end);
        i = end;
      } else if (c == '"') {
        int j = i + 1;
        while (j < n && src.charAt(j) != '"' && src.charAt(j) != '\n') j += src.charAt(j) == '\\' ? 2 : 1;
        if (KEY_IN_TEXT.matcher(src.substring(i, Math.min(n, j))).find()) lines.add(line);
        i = Math.min(n, j + 1);
      } else {
        i++;
      }
    }
    return lines;
  }

  private static int count(String s, int from, int to) {
    int k = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '\n') k++;
    }
    return k;
  }
}
