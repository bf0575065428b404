package org.tinybert.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueReader;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.Split;
import org.tinybert.metrics.GlueMetrics;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.BertBatch;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.EncodedInput;
import org.tinybert.text.Vocab;

/**
 * What the jobs must reproduce, computed on the driver without them: the examples of a GLUE file tokenized with
 * {@link BertTokenizer}, one forward pass of the whole file, the chosen logits read directly, argmax by hand, and
 * {@link GlueMetrics} on the result.
 */
final class GlueByHand {
  static final Configuration CONF = new Configuration();

  private GlueByHand() {}

  /** The model's logits for every example of {@code file}: [example][label]. */
  static float[][] logits(Path model, GlueTask task, Split split, Path file, int maxSeqLength, boolean reluHead)
      throws IOException {
    HfCheckpoint ck = HfCheckpoint.load(model, CONF);
    BertModel m = new BertModel(ck.config(), ck.weights());
    BertTokenizer tok = new BertTokenizer(Vocab.load(new Path(model, "vocab.txt"), CONF), true);
    List<GlueExample> ex = examples(task, split, file);
    int[][] ids = new int[ex.size()][];
    int[][] seg = new int[ex.size()][];
    int[][] mask = new int[ex.size()][];
    for (int i = 0; i < ex.size(); i++) {
      EncodedInput in = tok.encode(ex.get(i).textA(), ex.get(i).textB(), maxSeqLength);
      ids[i] = in.inputIds();
      seg[i] = in.segmentIds();
      mask[i] = in.inputMask();
    }
    BertModel.Forward f = m.forward(BertBatch.of(ids, seg, mask), false, false);
    return (reluHead ? f.logitsRelu : f.logits).toFloatMatrix();
  }

  static List<GlueExample> examples(GlueTask task, Split split, Path file) throws IOException {
    return GlueReader.read(task, split, file, CONF).examples();
  }

  static int[] argmax(float[][] logits) {
    int[] out = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      for (int c = 1; c < logits[i].length; c++) if (logits[i][c] > logits[i][out[i]]) out[i] = c;
    }
    return out;
  }

  /**
   * The task's metrics of the model on a labelled file.
   *
   * @param labelOrder the model's label order (row r of the classifier is labelOrder[r]); empty for TinyBERT's
   */
  static Map<String, Double> metrics(Path model, GlueTask task, Path file, int maxSeqLength, boolean reluHead,
      List<String> labelOrder) throws IOException {
    float[][] logits = logits(model, task, Split.DEV, file, maxSeqLength, reluHead);
    List<GlueExample> ex = examples(task, Split.DEV, file);
    if (task.outputMode() == OutputMode.REGRESSION) {
      double[] p = new double[ex.size()];
      double[] y = new double[ex.size()];
      for (int i = 0; i < ex.size(); i++) {
        p[i] = logits[i][0];
        y[i] = Double.parseDouble(ex.get(i).label());
      }
      return GlueMetrics.compute(task, p, y);
    }
    List<String> order = labelOrder.isEmpty() ? task.labels() : labelOrder;
    int[] rows = argmax(logits);
    int[] p = new int[ex.size()];
    int[] y = new int[ex.size()];
    for (int i = 0; i < ex.size(); i++) {
      p[i] = task.labels().indexOf(order.get(rows[i]));
      y[i] = task.labels().indexOf(ex.get(i).label());
    }
    return GlueMetrics.compute(task, p, y);
  }

  /** Label names (or scores) predicted for a test file, in file order. */
  static List<String> predictedLabels(Path model, GlueTask task, Path file, int maxSeqLength, boolean reluHead,
      List<String> labelOrder) throws IOException {
    float[][] logits = logits(model, task, Split.TEST, file, maxSeqLength, reluHead);
    List<String> order = labelOrder.isEmpty() ? task.labels() : labelOrder;
    List<String> out = new ArrayList<>();
    int[] rows = argmax(logits);
    for (int i = 0; i < logits.length; i++) {
      out.add(task.outputMode() == OutputMode.REGRESSION ? Float.toString(logits[i][0]) : order.get(rows[i]));
    }
    return out;
  }
}
