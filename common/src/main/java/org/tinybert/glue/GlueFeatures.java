package org.tinybert.glue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tinybert.io.InputException;
import org.tinybert.model.core.BertBatch;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;

/**
 * Turns GLUE examples into model input as TinyBERT's {@code convert_examples_to_features} does: BERT's
 * {@code [CLS] a [SEP] b [SEP]} packing with pair truncation (the longer side loses a token at a time) at the task's
 * max sequence length or an override, padding with id 0, and the gold label as an id in the model's label order
 * (classification) or a float (regression). Serializable, so a Spark executor can encode its own partition; the
 * tokenizer (and its vocabulary) travels with it, so executors that load the vocabulary themselves build their own.
 */
public final class GlueFeatures implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TaskDefinition task;
  private final GlueLabels labels;
  private final BertTokenizer tokenizer;
  private final int maxSeqLength;

  /**
   * @param labels the model's label order; null for TinyBERT's, and must be null for the regression task STS-B
   * @param maxSeqLength tokens per example, [CLS] and [SEP] included; 0 for the task's own
   *     ({@link GlueTask#maxSeqLength()})
   */
  public GlueFeatures(TaskDefinition task, GlueLabels labels, BertTokenizer tokenizer, int maxSeqLength) {
    this.task = Objects.requireNonNull(task, "task");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    if (task.outputMode() == OutputMode.REGRESSION) {
      if (labels != null) throw new IllegalArgumentException(task + " is a regression task: it has no label order");
      this.labels = null;
    } else {
      this.labels = labels == null ? GlueLabels.of(task) : labels;
      if (this.labels.task() != task) {
        throw new IllegalArgumentException("label order of " + this.labels.task() + " given for task " + task);
      }
    }
    this.maxSeqLength = maxSeqLength == 0 ? task.maxSeqLength() : maxSeqLength;
    int min = task.isPairTask() ? 3 : 2;
    if (this.maxSeqLength < min) {
      throw new InputException("max_seq_length of " + task + " must be 0 (the task's, "
          + task.maxSeqLength() + ") or >= " + min + " to hold "
          + (min == 3 ? "[CLS] a [SEP] b [SEP]" : "[CLS] a [SEP]")
          + ", found " + maxSeqLength);
    }
  }

  /** TinyBERT's label order and the task's max sequence length. */
  public static GlueFeatures of(TaskDefinition task, BertTokenizer tokenizer) {
    return new GlueFeatures(task, null, tokenizer, 0);
  }

  public TaskDefinition task() {
    return task;
  }

  /** The model's label order; null for the regression task. */
  public GlueLabels labels() {
    return labels;
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  /** The padded length of every feature. */
  public int maxSeqLength() {
    return maxSeqLength;
  }

  /** One example; unlabelled (test) examples get no label. */
  public GlueFeature encode(GlueExample e) {
    EncodedInput in = tokenizer.encode(e.textA(), e.textB(), maxSeqLength);
    int labelId = -1;
    float regressionLabel = Float.NaN;
    if (e.label() != null) {
      if (labels == null) {
        regressionLabel = parseScore(e);
      } else {
        labelId = labels.id(e.label());
        if (labelId < 0) {
          throw new InputException(e.guid() + " (line " + e.line() + "): label '" + e.label() + "' is not "
              + "one of " + task + "'s labels " + labels.names());
        }
      }
    }
    return new GlueFeature(e.guid(), e.index(), in.inputIds(), in.segmentIds(), in.inputMask(), in.seqLength(),
        labelId, regressionLabel);
  }

  /** Every example, in order. */
  public List<GlueFeature> encodeAll(List<GlueExample> examples) {
    List<GlueFeature> out = new ArrayList<>(examples.size());
    for (GlueExample e : examples) out.add(encode(e));
    return out;
  }

  private static float parseScore(GlueExample e) {
    try {
      return Float.parseFloat(e.label().strip());
    } catch (NumberFormatException x) {
      throw new InputException(e.guid() + " (line " + e.line() + "): expected a number (the regression label) "
          + "as label, found '" + e.label() + "'", x);
    }
  }

  /** Features of one padded length as a {@link BertBatch}, in list order. */
  public static BertBatch batch(List<GlueFeature> features) {
    if (features.isEmpty()) throw new IllegalArgumentException("a batch needs at least one feature");
    int b = features.size();
    int l = features.get(0).maxSeqLength();
    int[] ids = new int[b * l];
    int[] seg = new int[b * l];
    int[] mask = new int[b * l];
    for (int i = 0; i < b; i++) {
      GlueFeature f = features.get(i);
      if (f.maxSeqLength() != l) {
        throw new IllegalArgumentException("features of one batch must have one length: " + features.get(0).guid()
            + " has " + l + ", " + f.guid() + " has " + f.maxSeqLength());
      }
      System.arraycopy(f.inputIds(), 0, ids, i * l, l);
      System.arraycopy(f.segmentIds(), 0, seg, i * l, l);
      System.arraycopy(f.inputMask(), 0, mask, i * l, l);
    }
    return new BertBatch(b, l, ids, seg, mask);
  }
}
