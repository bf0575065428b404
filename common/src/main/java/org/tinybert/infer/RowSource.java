package org.tinybert.infer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.tinybert.io.TableFormat;

/** The rows of one {@link InferUnit}, in file order. */
interface RowSource extends Closeable {

  /** The next row, or null after the unit's last. */
  InputRow next() throws IOException;

  /** Lines read so far, header included (line formats and CSV; 0 for Parquet). */
  long lines();

  /**
   * The line of the file that {@code row} (read by this source) is on, for naming it; 0 where rows are not lines
   * (Parquet: rows are named by number).
   */
  default long lineInFile(InputRow row, Configuration conf) throws IOException {
    return 0;
  }

  /** Opens the reader of {@code unit}'s format. */
  static RowSource open(InferUnit unit, Columns columns, Configuration conf) throws IOException {
    return switch (unit.format()) {
      case PARQUET -> new ParquetRowSource(unit, columns, conf);
      case CSV -> new CsvRowSource(unit, columns, conf);
      default -> new LineRowSource(unit, columns, conf);
    };
  }

  /** A text as strict UTF-8, or null when the bytes are not UTF-8. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
