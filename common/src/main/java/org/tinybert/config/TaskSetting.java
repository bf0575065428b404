package org.tinybert.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.glue.TaskFile;
import org.tinybert.io.HadoopIO;

/**
 * The {@code task} key every task command reads: a GLUE preset's name ({@code sst-2}) or the path of a task file
 * (any Hadoop path; a value with a {@code /} or a {@code .} in it is a path). A task file is loaded and validated
 * with the settings, so its problems are reported with theirs, before anything runs.
 */
final class TaskSetting {
  private TaskSetting() {}

  /**
   * The task, or null after recording the problem.
   *
   * @param presets the presets this command takes
   */
  static TaskDefinition read(Validator v, List<GlueTask> presets) {
    Optional<String> raw = v.peekString("task");
    if (raw.isPresent() && isPath(raw.get())) {
      try {
        return TaskFile.load(new Path(raw.get().strip()), HadoopIO.defaultConf());
      } catch (TaskFile.TaskFileException e) {
        for (String p : e.problems()) v.invalid("task", "task file " + raw.get() + ": " + p);
      } catch (IllegalArgumentException e) {
        v.invalid("task", e.getMessage() + " (a preset is one of " + names(presets) + ")");
      }
      return null;
    }
    GlueTask task = v.choice("task", presets);
    return v.ok("task") ? task : null;
  }

  /** The presets that can be trained on: not the unlabelled diagnostic set, not mnli-mm (no train split of its own). */
  static List<GlueTask> trainable() {
    return Arrays.stream(GlueTask.values()).filter(t -> t != GlueTask.AX && t != GlueTask.MNLI_MM).toList();
  }

  /** The preset's GLUE directory (required), or for a task file nothing (its tables are in the file). */
  static Path taskDir(Validator v, TaskDefinition task) {
    boolean file = task instanceof TaskFile
        || task == null && v.peekString("task").map(TaskSetting::isPath).orElse(false);
    if (file) return v.optionalPath("task-dir").orElse(null);
    return v.path("task-dir");
  }

  static boolean isPath(String s) {
    return s.contains("/") || s.contains(".") || s.contains("\\");
  }

  private static String names(List<GlueTask> presets) {
    return String.join(", ", presets.stream().map(GlueTask::taskName).toList());
  }
}
