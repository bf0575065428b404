package org.tinybert.config;

import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert report} (section {@link #SECTION}; each key is documented in {@code reference.conf}).
 *
 * @param run the run directory (the output of general-distill, finetune-teacher or task-distill)
 * @param output where the figures and report.md go; empty for {@code <run>/report}
 * @param width width of each figure in pixels
 * @param height height of each figure in pixels
 */
public record ReportSettings(Path run, Optional<Path> output, int width, int height) {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("report");
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();
  /** The output directory under the run when none is given. */
  public static final String DEFAULT_DIR = "report";

  /** Reads and validates {@link #SECTION}; throws one {@link SettingsException} listing every problem. */
  public static ReportSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    Path run = v.path("run");
    Optional<Path> output = v.optionalPath("output");
    int width = v.intIn("width", 200, 8000);
    int height = v.intIn("height", 150, 8000);
    v.finish();
    return new ReportSettings(run, output, width, height);
  }

  /** {@code output}, or {@code <run>/report}. */
  public Path outputDir() {
    return output.orElse(new Path(run, DEFAULT_DIR));
  }
}
