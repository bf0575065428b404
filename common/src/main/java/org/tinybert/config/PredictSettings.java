package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert predict} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param run the model, the task and how to run it
 * @param output the directory the GLUE server files are written to
 */
public record PredictSettings(GlueRunSettings run, Path output) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("predict");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static PredictSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    GlueRunSettings run = GlueRunSettings.read(v);
    Path output = v.path("output");
    v.finish();
    return new PredictSettings(run, output);
  }
}
