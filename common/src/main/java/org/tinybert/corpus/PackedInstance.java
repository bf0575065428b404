package org.tinybert.corpus;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One general-distillation instance: {@code [CLS] tokens... [SEP]}, unpadded, all in segment 0.
 *
 * @param id stable identity: {@link StableHash#combine} of the document's hash and the instance's index in it
 * @param inputIds vocabulary ids, {@code [CLS]} first and {@code [SEP]} last; owned by the record, not copied
 */
public record PackedInstance(long id, int[] inputIds) implements Serializable {

  public int length() {
    return inputIds.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackedInstance p && id == p.id && Arrays.equals(inputIds, p.inputIds);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + Arrays.hashCode(inputIds);
  }

  @Override
  public String toString() {
    return "PackedInstance(id=" + id + ", input_ids=" + Arrays.toString(inputIds) + ")";
  }
}
