package org.tinybert.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What {@code reference.conf} says about each key: that it exists, its default and its comment.
 *
 * <p>The comments in {@code reference.conf} are the documentation of record: {@code <command> --help} prints them, so
 * they are written once. A key set to {@code null} there is required; an empty object ({@code {}}) there is an open
 * map whose keys are the user's to choose.
 */
public final class SettingsReference {
  /** The training keys, written once and included by every training section of {@code reference.conf}. */
  static final String TRAINING_FILE = "tinybert-training.conf";
  /** The text keys ({@code cased}), written once and included by every section that tokenizes. */
  static final String TEXT_FILE = "tinybert-text.conf";
  private static volatile Config reference;
  private static volatile Config resolved;

  private SettingsReference() {}

  /**
   * Every {@code reference.conf} on the classpath, merged, unresolved: the comments live on these values (a resolved
   * substitution such as {@code ${tinybert.sample-dir}"/teacher"} carries none), defaults come from {@link #resolved}.
   */
  public static Config config() {
    Config r = reference;
    if (r == null) {
      r = ConfigFactory.parseResources(SettingsReference.class.getClassLoader(), "reference.conf");
      reference = r;
    }
    return r;
  }

  /** {@link #config()} with its substitutions resolved (environment variables included), for rendering defaults. */
  static Config resolved() {
    Config r = resolved;
    if (r == null) {
      r = config().resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
      resolved = r;
    }
    return r;
  }

  /** Full paths of the leaf keys under {@code root} (null-valued, required keys included), in file order. */
  public static List<String> keys(String root) {
    ConfigValue v = valueAt(config(), root).orElse(null);
    List<String> out = new ArrayList<>();
    if (v instanceof ConfigObject o) collectLeaves(o, ConfigUtil.splitPath(root), out);
    return out;
  }

  /** The value at {@code path}, {@code ConfigNull} included (which {@code Config.getValue} refuses). */
  public static Optional<ConfigValue> valueAt(Config config, String path) {
    ConfigValue cur = config.root();
    for (String segment : ConfigUtil.splitPath(path)) {
      if (!(cur instanceof ConfigObject o)) return Optional.empty();
      cur = o.get(segment);
      if (cur == null) return Optional.empty();
    }
    return Optional.of(cur);
  }

  /**
   * Whether {@code path} is a key {@code reference.conf} defines, or lies inside one of its open maps (an object left
   * empty there, e.g. {@code spark-conf {}}), or the old name of a {@link RenamedKey}.
   */
  public static boolean isKnown(String path) {
    if (RenamedKey.all().stream().anyMatch(r -> r.old().full().equals(path))) return true;
    List<String> segments = ConfigUtil.splitPath(path);
    ConfigValue cur = config().root();
    for (int i = 0; i < segments.size(); i++) {
      if (!(cur instanceof ConfigObject o)) return false;
      if (i > 0 && o.isEmpty()) return true;
      cur = o.get(segments.get(i));
      if (cur == null) return false;
    }
    return true;
  }

  /**
   * The comment above {@code path} in {@code reference.conf}, its lines joined by a space; "" when it has none. The
   * old name of a {@link RenamedKey} is not there: its comment says what replaced it.
   */
  public static String comment(String path) {
    for (RenamedKey r : RenamedKey.all()) {
      if (r.old().full().equals(path)) return "Deprecated: the old name of " + r.now().full() + "; set that instead.";
    }
    return valueAt(config(), path)
        .map(v -> String.join(" ", v.origin().comments().stream().map(String::strip).toList()).strip())
        .orElse("");
  }

  /** The default as HOCON ({@code 128}, {@code "-"}, {@code false}); empty for a required (null) or absent key. */
  public static Optional<String> defaultValue(String path) {
    return valueAt(resolved(), path)
        .filter(v -> v.valueType() != ConfigValueType.NULL)
        .map(v -> v.render(ConfigRenderOptions.concise()));
  }

  /** Where an included file's keys sort in a section: after its own (0), text keys (1), then training keys (2). */
  private static int includedRank(String resource) {
    if (TEXT_FILE.equals(resource)) return 1;
    return TRAINING_FILE.equals(resource) ? 2 : 0;
  }

  /** Whether {@code reference.conf} sets {@code path} to null, meaning the user must give it. */
  public static boolean isRequired(String path) {
    return valueAt(resolved(), path).map(v -> v.valueType() == ConfigValueType.NULL).orElse(false);
  }

  static void collectLeaves(ConfigObject o, List<String> prefix, List<String> out) {
    // ConfigObject keeps no file order; sort by line so help lists keys as reference.conf does (then by name, for
    // values without a line, such as --set ones). A section's keys from an included file (TEXT_FILE's, then the
    // training keys of TRAINING_FILE) come after its own, in that file's order.
    List<String> keys = new ArrayList<>(o.keySet());
    keys.sort(Comparator.<String>comparingInt(k -> includedRank(o.get(k).origin().resource()))
        .thenComparingInt(k -> o.get(k).origin().lineNumber())
        .thenComparing(Comparator.naturalOrder()));
    for (String k : keys) {
      List<String> path = new ArrayList<>(prefix);
      path.add(k);
      ConfigValue v = o.get(k);
      if (v instanceof ConfigObject child && !child.isEmpty()) {
        collectLeaves(child, path, out);
      } else {
        out.add(ConfigUtil.joinPath(path));
      }
    }
  }
}
