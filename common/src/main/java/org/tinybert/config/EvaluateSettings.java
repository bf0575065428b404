package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert evaluate} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param run the model, the task and how to run it
 * @param output {@value #NO_FILE} to print the metrics only, otherwise a Hadoop path for the metrics JSON
 */
public record EvaluateSettings(GlueRunSettings run, String output) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("evaluate");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();
  /** The {@code output} that means no file. */
  public static final String NO_FILE = "-";

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static EvaluateSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
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
