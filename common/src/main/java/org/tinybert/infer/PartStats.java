package org.tinybert.infer;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What scoring one unit did, committed beside its part ({@code _parts/<part>.json}) right after it: a unit whose
 * record exists, with a part of the recorded size, is done and is not scored again.
 *
 * @param unit the unit's index
 * @param part the part's file name
 * @param file the input file
 * @param lines lines the unit read, a TSV header included (line formats; 0 for Parquet)
 * @param rows data rows read, bad ones included
 * @param examples rows scored and written
 * @param skipped bad rows skipped, by {@link BadRowKind#key()}
 * @param badRows the first bad rows skipped (positions as {@link InputRow#position()})
 * @param bytes the part's size
 * @param seconds the task's time, model loading (first task of an executor) included
 * @param runId the run that scored the unit
 */
public record PartStats(int unit, String part, String file, long lines, long rows, long examples,
    Map<String, Long> skipped, List<BadRowExample> badRows, long bytes, double seconds, String runId)
    implements Serializable {

  /** One skipped row: where, which kind, what is wrong. */
  public record BadRowExample(long position, String kind, String reason) implements Serializable {}
}
