package org.tinybert.corpus;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Instances stored by {@link InstanceStore}: Parquet under {@code <dir>/instances} (columns {@code id} long,
 * {@code input_ids} array&lt;int&gt; unpadded, {@code length} int) and their description in
 * {@code <dir>/instances.json}.
 *
 * @param dir the instance directory (fully qualified)
 * @param reused true when they were found complete and up to date, false when this run built them
 */
public record Instances(Path dir, InstanceFingerprint fingerprint, InstanceCounts counts, boolean reused) {

  static final String PARQUET = "instances";
  static final String DESCRIPTION = "instances.json";

  public Path parquet() {
    return new Path(dir, PARQUET);
  }

  public Path description() {
    return new Path(dir, DESCRIPTION);
  }

  /** The stored instances as a Dataset (id, input_ids, length). */
  public Dataset<Row> read(SparkSession spark) {
    return spark.read().parquet(parquet().toString());
  }

  public int maxSeqLength() {
    return fingerprint.maxSeqLength();
  }

  public long seed() {
    return fingerprint.seed();
  }

  /** One line for logs and run summaries. */
  public String summary() {
    return (reused ? "reused " : "built ") + counts.instances() + " instances (" + counts.tokens() + " tokens) from "
        + counts.documents() + " documents, " + counts.sentences() + " sentences of " + fingerprint.corpus().size()
        + " corpus files" + (counts.skippedLines() > 0 ? ", " + counts.skippedLines() + " invalid UTF-8 lines skipped"
        : "") + ", max_seq_length " + fingerprint.maxSeqLength() + ", at " + dir;
  }
}
