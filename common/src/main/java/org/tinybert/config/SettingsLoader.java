package org.tinybert.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.settings.Key;

/**
 * Builds the settings a job sees: {@code reference.conf} from the classpath, then an optional {@code --config} file,
 * then command-line assignments ({@code --set key=value} and options that stand for a key), later ones winning.
 *
 * <p>Values keep their origin, so a problem found later names where the bad value came from:
 * {@code conf/sst2.conf: 12} for a file, {@code --set on the command line} for an override.
 */
public final class SettingsLoader {
  /** Every key of ours lives under this. */
  public static final String NAMESPACE = Key.NAMESPACE;
  /** Origin of a value given with {@code --set}. */
  public static final String SET_ORIGIN = "--set on the command line";

  private SettingsLoader() {}

  /**
   * One {@code key=value} from the command line.
   *
   * @param assignment {@code key=value}; the value is HOCON when it is a number, true/false, null, a [list], an
   *     {object}, a "quoted string" or contains a ${substitution}; anything else is taken literally as a string, so
   *     paths and URIs ({@code hdfs://nn:8020/x}) need no quotes
   * @param origin how problems name it, e.g. {@code --set on the command line}
   */
  public record Assignment(String assignment, String origin) {
    /** A {@code --set key=value}. */
    public static Assignment set(String assignment) {
      return new Assignment(assignment, SET_ORIGIN);
    }

    /** A command-line option that stands for {@code key}, e.g. {@code --max-seq-length 64}. */
    public static Assignment option(String option, String key, String value) {
      return new Assignment(key + "=" + value, option + " on the command line");
    }
  }

  /** {@link #loadWith} for {@code --set key=value} strings. */
  public static Config load(String rootKey, Optional<String> configFile, List<String> setOverrides) {
    return loadWith(rootKey, configFile, setOverrides.stream().map(Assignment::set).toList());
  }

  /**
   * The resolved settings for the job whose section is {@code rootKey} (e.g. {@code tinybert.forward}).
   *
   * <p>Checked here: the config file exists and parses, each assignment is well formed, and substitutions resolve.
   * Values and unknown keys are the settings record's {@link Validator}'s to check, so that they are reported together.
   *
   * @param configFile any Hadoop path or URI; a local one may {@code include} files relative to itself
   * @throws SettingsException listing every problem found
   * @throws IllegalArgumentException when {@code reference.conf} has no section {@code rootKey} (a programming error)
   */
  public static Config loadWith(String rootKey, Optional<String> configFile, List<Assignment> assignments) {
    Config reference = SettingsReference.config();
    if (!reference.hasPath(rootKey)) {
      throw new IllegalArgumentException("reference.conf has no section " + rootKey);
    }
    List<SettingsException.Problem> problems = new ArrayList<>();

    Config overrides = ConfigFactory.empty();
    for (Assignment a : assignments) {
      Optional<Config> one = parseAssignment(a, problems);
      if (one.isPresent()) overrides = one.get().withFallback(overrides);
    }
    Config file = configFile.map(f -> parseFile(f, problems)).orElse(ConfigFactory.empty());
    if (!problems.isEmpty()) throw new SettingsException(problems);

    Config merged;
    try {
      merged = overrides.withFallback(file).withFallback(reference).resolve();
    } catch (ConfigException e) {
      throw SettingsException.of("", e.getMessage());
    }

    return merged;
  }

  private static Optional<Config> parseAssignment(Assignment a, List<SettingsException.Problem> problems) {
    String text = a.assignment();
    int eq = text.indexOf('=');
    String key = eq < 0 ? text.strip() : text.substring(0, eq).strip();
    if (eq < 0 || key.isEmpty()) {
      problems.add(new SettingsException.Problem(key, "malformed " + quote(text) + " (" + a.origin()
          + "): expected key=value, e.g. " + ForwardSettings.SECTION.key("max-seq-length").full() + "=64", false));
      return Optional.empty();
    }
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      problems.add(new SettingsException.Problem(key, "malformed key " + quote(key) + " (" + a.origin() + "): "
          + e.getMessage(), false));
      return Optional.empty();
    }
    ConfigOrigin origin = ConfigOriginFactory.newSimple(a.origin());
    try {
      return Optional.of(ConfigFactory.empty().withValue(key, parseValue(text.substring(eq + 1), origin)));
    } catch (ConfigException e) {
      problems.add(new SettingsException.Problem(key, "malformed value for " + key + " (" + a.origin() + "): "
          + e.getMessage(), false));
      return Optional.empty();
    }
  }

  /**
   * A command-line value: HOCON where it has to be, the literal text otherwise. Taking every value as HOCON would
   * make {@code hdfs://nn:8020/x} a syntax error and silently cut {@code /data//x} at the "//" comment.
   */
  static ConfigValue parseValue(String text, ConfigOrigin origin) {
    String t = text.strip();
    boolean structured = t.startsWith("[") || t.startsWith("{") || t.startsWith("\"") || t.contains("${");
    ConfigValue parsed;
    try {
      Config c = ConfigFactory.parseString("v = " + t,
          ConfigParseOptions.defaults().setOriginDescription(origin.description()));
      parsed = c.root().size() == 1 ? c.root().get("v") : null;
      if (parsed == null && structured) {
        throw new ConfigException.BadValue(origin, "", "expected one value, found " + quote(t));
      }
    } catch (ConfigException e) {
      if (structured) throw e;
      parsed = null;
    }
    if (structured) return parsed.withOrigin(origin);
    if (parsed != null && parsed.valueType() != ConfigValueType.STRING) return parsed.withOrigin(origin);
    return ConfigValueFactory.fromAnyRef(t, origin.description());
  }

  private static Config parseFile(String name, List<SettingsException.Problem> problems) {
    try {
      Path path = new Path(name);
      String scheme = path.toUri().getScheme();
      if (scheme == null || scheme.equals("file")) {
        // Local files go through Typesafe's own parser so `include "base.conf"` finds files beside this one.
        File f = scheme == null ? new File(name) : new File(path.toUri().getPath());
        if (!f.isFile()) {
          problems.add(new SettingsException.Problem("", "--config " + name + ": no such file", false));
          return ConfigFactory.empty();
        }
        return ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
      }
      if (!HadoopIO.exists(path, HadoopIO.defaultConf())) {
        problems.add(new SettingsException.Problem("", "--config " + name + ": no such file", false));
        return ConfigFactory.empty();
      }
      String text = new String(HadoopIO.readAll(path, HadoopIO.defaultConf()), StandardCharsets.UTF_8);
      return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(name));
    } catch (ConfigException e) {
      problems.add(new SettingsException.Problem("", "--config " + name + ": " + e.getMessage(), false));
    } catch (IOException | RuntimeException e) {
      problems.add(new SettingsException.Problem("", "--config " + name + ": cannot read: " + e.getMessage(), false));
    }
    return ConfigFactory.empty();
  }

  private static String quote(String s) {
    return ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
  }
}
