package org.tinybert.infer;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import org.tinybert.io.TableFormat;
import org.tinybert.config.OutputFormat;

/**
 * One unit of work of {@code infer}: one Spark task, one output part. For line formats a byte range of a file (a line
 * belongs to the unit its first byte is in, as Hadoop's line reader splits files; a compressed file is one unit); for
 * Parquet a run of whole row groups, given as the byte range their midpoints fall in (how Parquet's readers select
 * row groups of a split).
 *
 * @param index the unit's number in the plan, which names its part
 * @param file the qualified input file
 * @param format how the file is read (never {@link TableFormat#AUTO})
 * @param start first byte of the range
 * @param end byte after the range
 * @param compressed a compressed text file, read whole through its codec
 * @param skipHeader TSV with a header, and this unit starts the file: its first line names the columns
 * @param fields TSV: the 0-based fields of text, pair and id, -1 for none
 * @param projection Parquet: the columns read, as a Parquet message type
 * @param firstRow Parquet: rows of the file before this unit's first row group
 * @param rows Parquet: rows in this unit's row groups
 */
public record InferUnit(int index, String file, TableFormat format, long start, long end, boolean compressed,
    boolean skipHeader, int[] fields, String projection, long firstRow, long rows) implements Serializable {

  /** The name of the unit's output part, {@code part-00042.parquet}. */
  public String partName(OutputFormat f) {
    return String.format(Locale.ROOT, "part-%05d.%s", index, f.extension());
  }

  /** What the plan's fingerprint records of the unit: which bytes of which file it covers. */
  public String describe() {
    return file + " [" + start + ", " + end + ")" + (compressed ? " compressed" : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InferUnit u && index == u.index && file.equals(u.file) && format == u.format
        && start == u.start && end == u.end && compressed == u.compressed && skipHeader == u.skipHeader
        && Arrays.equals(fields, u.fields) && java.util.Objects.equals(projection, u.projection)
        && firstRow == u.firstRow && rows == u.rows;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(index, file, start, end);
  }

  @Override
  public String toString() {
    return "unit " + index + ": " + describe();
  }
}
