package org.tinybert.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.io.OutputHold;
import org.tinybert.model.EngineChoice;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Typed reads of one job's section that record every failure instead of throwing at the first, for a settings record's
 * {@code from(Config)}:
 *
 * <pre>{@code
 * Validator v = new Validator(config, ForwardSettings.SECTION);
 * int maxSeqLength = v.intAtLeast("max-seq-length", 2);
 * Path model = v.path("model");
 * v.finish();   // throws one SettingsException listing every problem, unknown keys included
 * return new ForwardSettings(model, maxSeqLength);
 * }</pre>
 *
 * <p>Keys are relative to the section; messages name the full key, the rule, the value found and its origin:
 * {@code tinybert.forward.max-seq-length must be >= 2, found 1 (conf/x.conf: 12)}. A failed read returns a
 * placeholder (0, "", false, empty) that {@link #finish()} never lets escape.
 *
 * <p>Written here rather than taken from Typesafe's getters because those stop at the first error, name no rule and
 * quietly truncate: {@code getInt} reads 1.5 as 1.
 */
public final class Validator {
  private static final Logger LOG = LoggerFactory.getLogger(Validator.class);
  private final Config config;
  private final Section section;
  /** {@code section}'s full path, where its values are looked up. */
  private final String root;
  private final List<SettingsException.Problem> problems = new ArrayList<>();
  private final Set<String> failed = new HashSet<>();
  private final List<String> warnings = new ArrayList<>();

  /**
   * @param config the whole loaded settings ({@link SettingsLoader#load})
   * @param section the job's section, e.g. {@code ForwardSettings.SECTION}: every key read is one of its
   *     {@link Section#key keys}, so a message names the key as the descriptor spells it
   */
  public Validator(Config config, Section section) {
    this.config = config;
    this.section = section;
    this.root = section.full();
  }

  /** An integer >= 1. */
  public int positiveInt(String key) {
    return intAtLeast(key, 1);
  }

  /** An integer >= {@code min}. */
  public int intAtLeast(String key, int min) {
    return intIn(key, min, Integer.MAX_VALUE);
  }

  /** An integer in [{@code lo}, {@code hi}]. */
  public int intIn(String key, int lo, int hi) {
    ConfigValue v = present(key, "an integer");
    if (v == null) return 0;
    Long n = asLong(v);
    if (n == null) return fail(key, "must be an integer", v, 0);
    if (n < lo) return fail(key, "must be >= " + lo, v, 0);
    if (n > hi) return fail(key, hi == Integer.MAX_VALUE ? "must fit in an int" : "must be <= " + hi, v, 0);
    return n.intValue();
  }

  /** A size in bytes >= {@code min}: a number of bytes or HOCON's size format ({@code 8m}, {@code 512 KiB}). */
  public long bytesAtLeast(String key, long min) {
    ConfigValue v = present(key, "a size in bytes");
    if (v == null) return 0;
    long n;
    try {
      n = config.getBytes(full(key));
    } catch (com.typesafe.config.ConfigException e) {
      return fail(key, "must be a size in bytes, e.g. 8m or 65536", v, 0L);
    }
    if (n < min) return fail(key, "must be >= " + min + " bytes", v, 0L);
    return n;
  }

  /** A number > 0. */
  public double positiveDouble(String key) {
    ConfigValue v = present(key, "a number");
    if (v == null) return 0;
    Double d = asDouble(v);
    if (d == null) return fail(key, "must be a number", v, 0.0);
    if (!(d > 0) || d.isInfinite()) return fail(key, "must be > 0", v, 0.0);
    return d;
  }

  /** A number in [{@code lo}, {@code hi}]. */
  public double doubleIn(String key, double lo, double hi) {
    ConfigValue v = present(key, "a number");
    if (v == null) return 0;
    Double d = asDouble(v);
    if (d == null) return fail(key, "must be a number", v, 0.0);
    if (!(d >= lo && d <= hi)) return fail(key, "must be in [" + lo + ", " + hi + "]", v, 0.0);
    return d;
  }

  /** The word {@code word} (read as null) or a number in [{@code lo}, {@code hi}]. */
  public Double wordOrDoubleIn(String key, String word, double lo, double hi) {
    ConfigValue v = present(key, word + " or a number");
    if (v == null) return null;
    if (v.valueType() == ConfigValueType.STRING && word.equals(v.unwrapped())) return null;
    Double d = asDouble(v);
    String rule = "must be " + word + " or a number in [" + lo + ", " + hi + "]";
    if (d == null || !(d >= lo && d <= hi)) return fail(key, rule, v, null);
    return d;
  }

  /** true or false (HOCON's yes/no/on/off too). */
  public boolean bool(String key) {
    ConfigValue v = present(key, "true or false");
    if (v == null) return false;
    if (v.valueType() == ConfigValueType.BOOLEAN) return (Boolean) v.unwrapped();
    if (v.valueType() == ConfigValueType.STRING) {
      switch (((String) v.unwrapped()).strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on":
          return true;
        case "false", "no", "off":
          return false;
        default:
          break;
      }
    }
    return fail(key, "must be true or false", v, false);
  }

  /** true or false, or null when the key is null: the choice is left to something else (a model's own files). */
  public Boolean optionalBool(String key) {
    ConfigValue v = valueAt(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) return null;
    return bool(key);
  }

  /** A non-empty string (a number given where a string is expected is taken as its text). */
  public String string(String key) {
    ConfigValue v = present(key, "a string");
    return v == null ? "" : stringOf(key, v);
  }

  /** A non-empty string, or empty when the key is absent or null. */
  public Optional<String> optionalString(String key) {
    ConfigValue v = valueAt(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) return Optional.empty();
    String s = stringOf(key, v);
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /** A string that may be empty ("" is how {@code reference.conf} documents "none" for an optional name). */
  public String stringOrEmpty(String key) {
    ConfigValue v = present(key, "a string");
    if (v == null) return "";
    if (v.valueType() == ConfigValueType.STRING && ((String) v.unwrapped()).isEmpty()) return "";
    return stringOf(key, v);
  }

  /** One of {@code allowed}, compared exactly. */
  public String oneOf(String key, String... allowed) {
    ConfigValue v = present(key, "one of " + String.join(", ", allowed));
    if (v == null) return "";
    String rule = "must be one of " + String.join(", ", allowed);
    if (v.valueType() != ConfigValueType.STRING) return fail(key, rule, v, "");
    String s = (String) v.unwrapped();
    if (!Arrays.asList(allowed).contains(s)) {
      return fail(key, rule + Suggestions.didYouMean(s, Arrays.asList(allowed)), v, "");
    }
    return s;
  }

  /**
   * One of the constants of {@code type}, spelled as its {@link Choice#key()}: decoded here once, so the code that
   * uses it switches over an enum, never over a string. A failed read returns the first constant as placeholder.
   */
  public <E extends Enum<E> & Choice> E choice(String key, Class<E> type) {
    return choice(key, Arrays.asList(type.getEnumConstants()));
  }

  /** {@link #choice(String, Class)} among {@code allowed} only, e.g. the GLUE tasks that can be trained on. */
  public <E extends Enum<E> & Choice> E choice(String key, List<E> allowed) {
    String s = oneOf(key, allowed.stream().map(Choice::key).toArray(String[]::new));
    return allowed.stream().filter(e -> e.key().equals(s)).findFirst().orElse(allowed.get(0));
  }

  /**
   * {@link EngineChoice#SETTING}, the one key outside the section that every job and benchmark reads: {@code auto},
   * {@code cpu} or {@code nd4j}. A problem is recorded with the section's own.
   */
  public EngineChoice engine() {
    Validator top = new Validator(config, EngineChoice.SETTING.section());
    EngineChoice engine = top.choice(EngineChoice.SETTING.name(), EngineChoice.class);
    problems.addAll(top.problems);
    return top.problems.isEmpty() ? engine : EngineChoice.AUTO;
  }

  /**
   * {@link OutputHold#STALE_AFTER}, outside the section, read by every job that writes an output it owns: a
   * duration > 0. A problem is recorded with the section's own.
   */
  public Duration holdStaleAfter() {
    Validator top = new Validator(config, OutputHold.STALE_AFTER.section());
    Duration d = top.positiveDuration(OutputHold.STALE_AFTER.name());
    problems.addAll(top.problems);
    return top.problems.isEmpty() ? d : Duration.ofMinutes(3);
  }

  /**
   * A setting that was renamed: {@code read} of its new name, unless the user set the old one, whose value
   * {@code readOld} turns into the new key's and which is then used, with a warning naming both keys. The new key is
   * always validated; set by the user to a different value than the old one, neither wins and a problem names both.
   * "Set by the user" means a value from anywhere but {@code reference.conf}.
   */
  public <E extends Enum<E> & Choice> E renamed(RenamedKey key, Function<String, E> read,
      Function<String, E> readOld) {
    checkSection(key.now());
    String now = key.now().name();
    String old = key.old().name();
    E fromNow = read.apply(now);
    ConfigValue oldValue = valueAt(old);
    if (oldValue == null) return fromNow;
    E fromOld = readOld.apply(old);
    if (!ok(old) || !ok(now)) return fromNow;
    ConfigValue nowValue = valueAt(now);
    if (!isReference(nowValue) && fromNow != fromOld) {
      failed.add(now);
      failed.add(old);
      add(key.now().full(), key.old().full() + " = " + render(oldValue) + " (" + oldValue.origin().description()
          + ") and " + key.now().full() + " = " + render(nowValue) + " (" + nowValue.origin().description()
          + ") disagree; " + key.old().full() + " is the old name of " + key.now().full() + ": set only that",
          false);
      return fromNow;
    }
    warnings.add(key.old().full() + " (" + oldValue.origin().description() + ") is deprecated; set "
        + key.now().full() + " = " + fromOld.key() + " instead");
    return fromOld;
  }

  /** A duration > 0 in HOCON's format ({@code 3m}, {@code 90s}, {@code 500ms}; a bare number is milliseconds). */
  public Duration positiveDuration(String key) {
    ConfigValue v = present(key, "a duration");
    if (v == null) return Duration.ZERO;
    Duration d;
    try {
      d = config.getDuration(full(key));
    } catch (com.typesafe.config.ConfigException e) {
      return fail(key, "must be a duration, e.g. 3m or 90s", v, Duration.ZERO);
    }
    if (d.isNegative() || d.isZero()) return fail(key, "must be > 0", v, Duration.ZERO);
    return d;
  }

  /** A list of integers, e.g. {@code [0, 3, 6]}; may be empty. */
  public List<Integer> intList(String key) {
    ConfigValue v = present(key, "a list of integers");
    if (v == null) return List.of();
    if (!(v instanceof ConfigList list)) return fail(key, "must be a list of integers", v, List.of());
    List<Integer> out = new ArrayList<>(list.size());
    for (ConfigValue e : list) {
      Long n = asLong(e);
      if (n == null || n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
        return fail(key, "must be a list of integers", v, List.of());
      }
      out.add(n.intValue());
    }
    return List.copyOf(out);
  }

  /** A list of non-empty strings, e.g. {@code [entailment, neutral]}, numbers taken as their text; may be empty. */
  public List<String> stringList(String key) {
    ConfigValue v = present(key, "a list of strings");
    if (v == null) return List.of();
    if (!(v instanceof ConfigList list)) return fail(key, "must be a list of strings", v, List.of());
    List<String> out = new ArrayList<>(list.size());
    for (ConfigValue e : list) {
      ConfigValueType t = e.valueType();
      String s = t == ConfigValueType.STRING || t == ConfigValueType.NUMBER || t == ConfigValueType.BOOLEAN
          ? String.valueOf(e.unwrapped()) : null;
      if (s == null || s.isBlank()) return fail(key, "must be a list of non-empty strings", v, List.of());
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** A Hadoop path or URI: a local path, file://, hdfs://, s3a://... */
  public Path path(String key) {
    ConfigValue v = present(key, "a path");
    if (v == null) return null;
    String s = stringOf(key, v);
    return s.isEmpty() ? null : toPath(key, v, s);
  }

  /**
   * A Hadoop path, or empty when the key is absent, null or {@code ""} (how {@code reference.conf} gives an optional
   * file a documented default of none: null there would mean required).
   */
  public Optional<Path> optionalPath(String key) {
    ConfigValue v = valueAt(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) return Optional.empty();
    if (v.valueType() == ConfigValueType.STRING && "".equals(v.unwrapped())) return Optional.empty();
    String s = stringOf(key, v);
    return s.isEmpty() ? Optional.empty() : Optional.ofNullable(toPath(key, v, s));
  }

  /**
   * A rule across keys, checked after the reads: records "{@code key} {@code rule}, found ..." unless {@code ok}.
   * Skipped when {@code key} already failed, so a placeholder never causes a second, misleading problem.
   *
   * @param rule e.g. {@code "must be <= max-seq-length (128)"}
   */
  public void require(boolean ok, String key, String rule) {
    if (ok || failed.contains(key)) return;
    ConfigValue v = valueAt(key);
    if (v == null) {
      add(full(key), full(key) + " " + rule, false);
    } else {
      fail(key, rule, v, null);
    }
  }

  /** The value of {@code key} when it is a string, without recording anything (to choose how to read it). */
  public Optional<String> peekString(String key) {
    ConfigValue v = valueAt(key);
    return v != null && v.valueType() == ConfigValueType.STRING ? Optional.of((String) v.unwrapped())
        : Optional.empty();
  }

  /**
   * Records a problem with what {@code key} names rather than with its value (a task file it points to that is
   * invalid); {@code message} is the whole sentence, and the key's origin is added.
   */
  public void invalid(String key, String message) {
    failed.add(key);
    ConfigValue v = valueAt(key);
    add(full(key), full(key) + ": " + message + (v == null ? "" : " (" + v.origin().description() + ")"), false);
  }

  /** Whether every read of {@code key} so far succeeded. */
  public boolean ok(String key) {
    return !failed.contains(key);
  }

  /** The warnings so far (an old key name used), each one line; {@link #finish()} logs them. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The problems recorded so far, unknown keys not yet included. */
  public List<SettingsException.Problem> problems() {
    return List.copyOf(problems);
  }

  /**
   * Adds a problem for every key under {@value SettingsLoader#NAMESPACE}, the section's included, that
   * {@code reference.conf} does not define, since a typo such as {@code epochz} would otherwise be silently ignored;
   * then throws if anything was recorded. The whole namespace is checked, not just this section, so a typo anywhere
   * in a --config file or a --set is reported with everything else at once.
   */
  public void finish() {
    ConfigValue sectionValue = SettingsReference.valueAt(config, root).orElse(null);
    if (sectionValue != null && !(sectionValue instanceof ConfigObject)) {
      add(root, root + " must be an object of settings, found " + render(sectionValue) + " ("
          + sectionValue.origin().description() + ")", false);
    }
    List<String> leaves = new ArrayList<>();
    SettingsReference.valueAt(config, SettingsLoader.NAMESPACE).ifPresent(v -> {
      if (v instanceof ConfigObject o) SettingsReference.collectLeaves(o, List.of(SettingsLoader.NAMESPACE), leaves);
    });
    List<String> ours = SettingsReference.keys(root).stream().map(this::relative).toList();
    List<String> all = SettingsReference.keys(SettingsLoader.NAMESPACE);
    for (String key : leaves) {
      if (SettingsReference.isKnown(key)) continue;
      ConfigValue v = SettingsReference.valueAt(config, key).orElseThrow();
      String hint = inSection(key) ? Suggestions.didYouMean(relative(key), ours)
          : Suggestions.didYouMean(key, all);
      add(key, "unknown key " + key + " (" + v.origin().description() + ")" + hint, false);
    }
    if (!problems.isEmpty()) throw new SettingsException(problems);
    for (String w : warnings) LOG.warn(w);
  }

  private void checkSection(Key key) {
    if (!key.section().equals(section)) throw new IllegalArgumentException(key + " is not in " + section);
  }

  private ConfigValue valueAt(String key) {
    return SettingsReference.valueAt(config, full(key)).orElse(null);
  }

  /** The value, or null after recording that it is missing. */
  private ConfigValue present(String key, String what) {
    ConfigValue v = valueAt(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      // A required key's null in reference.conf is "nothing"; a null the user wrote is shown with its origin.
      String found = v == null || isReference(v) ? "nothing" : "null (" + v.origin().description() + ")";
      failed.add(key);
      add(full(key), full(key) + " must be set (" + what + "), found " + found, true);
      return null;
    }
    return v;
  }

  private static boolean isReference(ConfigValue v) {
    String d = v.origin().resource();
    return d != null && d.endsWith("reference.conf");
  }

  private String stringOf(String key, ConfigValue v) {
    if (v.valueType() == ConfigValueType.STRING || v.valueType() == ConfigValueType.NUMBER
        || v.valueType() == ConfigValueType.BOOLEAN) {
      String s = String.valueOf(v.unwrapped());
      if (s.isBlank()) return fail(key, "must not be empty", v, "");
      return s;
    }
    return fail(key, "must be a string", v, "");
  }

  private Path toPath(String key, ConfigValue v, String s) {
    try {
      return new Path(s);
    } catch (IllegalArgumentException e) {
      return fail(key, "must be a path or URI (" + e.getMessage() + ")", v, null);
    }
  }

  private static Long asLong(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      Number n = (Number) v.unwrapped();
      if (n instanceof Integer || n instanceof Long) return n.longValue();
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 0x1p62 ? (long) d : null;
    }
    // Strings come from environment substitutions (${?MAX_SEQ_LENGTH}); HOCON itself converts them the same way.
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Long.parseLong(((String) v.unwrapped()).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Double asDouble(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER) return ((Number) v.unwrapped()).doubleValue();
    if (v.valueType() == ConfigValueType.STRING) {
      try {
        return Double.parseDouble(((String) v.unwrapped()).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private <T> T fail(String key, String rule, ConfigValue v, T placeholder) {
    failed.add(key);
    add(full(key), full(key) + " " + rule + ", found " + render(v) + " (" + v.origin().description() + ")", false);
    return placeholder;
  }

  private void add(String fullKey, String message, boolean missing) {
    problems.add(new SettingsException.Problem(fullKey, message, missing));
  }

  /** The full name of {@code key} of this section: {@link Key#full()}, the one place it is put together. */
  private String full(String key) {
    return section.key(key).full();
  }

  private boolean inSection(String fullKey) {
    return fullKey.length() > root.length() && fullKey.startsWith(root) && fullKey.charAt(root.length()) == '.';
  }

  private String relative(String fullKey) {
    return inSection(fullKey) ? fullKey.substring(root.length() + 1) : fullKey;
  }

  private static String render(ConfigValue v) {
    String s = v.render(ConfigRenderOptions.concise());
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
