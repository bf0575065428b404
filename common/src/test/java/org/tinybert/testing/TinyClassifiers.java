package org.tinybert.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.BertConfig;

/**
 * Tiny sequence classifiers for GLUE tests: the golden student (2 layers, hidden 24, 3 labels) with its classifier cut
 * to its first {@code n} rows, so a 2-label task and the regression task (1 output) get a model whose logits are the
 * golden student's first columns.
 */
public final class TinyClassifiers {
  private TinyClassifiers() {}

  /** The golden student's weights with {@code numLabels} (1 to 3) classifier rows. */
  public static Map<String, INDArray> studentWeights(int numLabels) {
    Map<String, INDArray> w = new LinkedHashMap<>(Golden.checkpoint("student").weights());
    String weight = HfNames.weight(HfNames.CLASSIFIER);
    String bias = HfNames.bias(HfNames.CLASSIFIER);
    w.put(weight, w.get(weight).get(NDArrayIndex.interval(0, numLabels), NDArrayIndex.all()).dup('c'));
    w.put(bias, w.get(bias).get(NDArrayIndex.interval(0, numLabels)).dup('c'));
    return w;
  }

  public static BertConfig studentConfig(int numLabels) {
    return Golden.checkpoint("student").config().withNumLabels(numLabels);
  }

  /** The golden student with {@code numLabels} outputs, in memory. */
  public static BertModel student(int numLabels) {
    return new BertModel(studentConfig(numLabels), studentWeights(numLabels));
  }

  /** The same as a Hugging Face directory {@code parent/student-<numLabels>} (config.json, vocab.txt, weights). */
  public static Path saveStudent(java.nio.file.Path parent, int numLabels) {
    // From the string, not the URI: a URI of an existing directory ends in "/", which Path(URI) keeps.
    Path dir = new Path(parent.resolve("student-" + numLabels).toAbsolutePath().toString());
    HfCheckpoint.save(dir, studentConfig(numLabels), studentWeights(numLabels), Golden.hadoopPath("student/vocab.txt"),
        true, new Configuration());
    return dir;
  }
}
