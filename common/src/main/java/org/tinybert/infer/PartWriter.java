package org.tinybert.infer;

import java.io.Closeable;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.api.Binary;
import org.tinybert.config.OutputFormat;

/** Writes one output part: each scored row with its kept columns and the model's results. */
interface PartWriter extends Closeable {

  /**
   * @param output the model's row: logits (label, probabilities, score) or the embedding
   */
  void write(InputRow row, float[] output) throws IOException;

  static PartWriter open(OutputFormat format, OutputSchema schema, Path file, Configuration conf) throws IOException {
    return switch (format) {
      case PARQUET -> new ParquetPartWriter(schema, file, conf);
      case JSONL -> new JsonlPartWriter(schema, file, conf);
      case TSV -> new TsvPartWriter(schema, file, conf);
    };
  }

  /** An id as JSON and TSV write it: numbers and booleans as they are, Parquet binaries as UTF-8 text. */
  static Object plainId(Object id) {
    return id instanceof Binary b ? b.toStringUsingUTF8() : id;
  }
}
