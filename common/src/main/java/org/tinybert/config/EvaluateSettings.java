package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * Settings of {@code tinybert evaluate} (section {@value #ROOT}; each key is documented in {@code reference.conf}).
 *
 * @param run the model, the task and how to run it
 * @param output {@value #NO_FILE} to print the metrics only, otherwise a Hadoop path for the metrics JSON
 */
public record EvaluateSettings(GlueRunSettings run, String output) implements Serializable {
  public static final String ROOT = "tinybert.evaluate";
  /** The {@code output} that means no file. */
  public static final String NO_FILE = "-";

  /** Reads and validates {@value #ROOT}; throws one {@link SettingsException} listing every problem. */
  public static EvaluateSettings from(Config config) {
    Validator v = new Validator(config, ROOT);
    GlueRunSettings run = GlueRunSettings.read(v);
    String output = v.string("output");
    if (v.ok("output") && !NO_FILE.equals(output)) v.path("output");
    v.finish();
    return new EvaluateSettings(run, output);
  }

  /** The metrics file, or empty when the metrics are only printed. */
  public Optional<Path> outputPath() {
    return NO_FILE.equals(output) ? Optional.empty() : Optional.of(new Path(output));
  }
}
