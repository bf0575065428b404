package org.tinybert.glue;

import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The examples read from one split of a task (a GLUE file, or a task file's table).
 *
 * @param skipped how many malformed rows were skipped (only when the reader was told to skip them, as for QQP)
 * @param skippedReasons {@code line N: reason} for the first few skipped rows
 */
public record GlueExamples(
    TaskDefinition task, Split split, Path file, List<GlueExample> examples, long skipped,
    List<String> skippedReasons) {

  public GlueExamples {
    examples = List.copyOf(examples);
    skippedReasons = List.copyOf(skippedReasons);
  }

  public int size() {
    return examples.size();
  }
}
