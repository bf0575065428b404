package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tinybert.testing.Tensors.assertGradientClose;
import static org.tinybert.testing.Tensors.assertRelClose;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.schedule.ISchedule;
import org.tinybert.config.ClipMode;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.core.Dropout;
import org.tinybert.testing.Golden;

/** The student inside DL4J: the same numbers as the reference, through DL4J's own training calls. */
class DistillationLayerTest {

  static DistillationLayer goldenLayer(LossWeights w, ISchedule schedule) {
    HfCheckpoint s = Golden.checkpoint("student");
    return new DistillationLayer(new StudentSpec(s.config(), s.heads()), Golden.hadoopPath("teacher").toString(),
        LayerMappingSetting.UNIFORM, w, BertAdam.bertAdam(1e-3, schedule), 0.01, ClipMode.PER_TENSOR, 1.0, 7,
        Golden.batch("batch").seqLength());
  }

  static MultiDataSet goldenData(float[] labels) {
    BertBatch b = Golden.batch("batch");
    return new MultiDataSet(BatchEncoding.features(b), BatchEncoding.labels(labels == null ? new float[b.batchSize()]
        : labels));
  }

  @Test
  void scoreAndGradientThroughDl4jMatchTheReference() {
    DistillationLayer layer = goldenLayer(LossWeights.intermediate(), null);
    ComputationGraph g = DistillationGraph.create(layer, 1, Golden.checkpoint("student").weights());
    MultiDataSet data = goldenData(null);
    g.setInputs(data.getFeatures());
    g.setLabels(data.getLabels());
    long before = DistillationLayerImpl.teacherForwards();
    g.computeGradientAndScore();
    assertEquals(1, DistillationLayerImpl.teacherForwards() - before, "one teacher forward per minibatch");
    assertRelClose("intermediate_total", Golden.json("losses.json").get("intermediate_total").asDouble(), g.score(),
        1e-5);
    Map<String, INDArray> grads = g.gradient().gradientForVariable();
    Map<String, INDArray> expected = Golden.expected();
    int compared = 0;
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      if (!e.getKey().startsWith("grad.")) continue;
      String key = DistillationGraph.LAYER + "_" + StudentSpec.dl4jKey(e.getKey().substring("grad.".length()));
      assertGradientClose(e.getKey(), e.getValue(), grads.get(key));
      compared++;
    }
    assertEquals(39, compared);
  }

  @Test
  void dropoutTrainsWithStepKeyedMasksAndNeverEvaluates() {
    DistillationLayer layer = goldenLayer(LossWeights.intermediate(), null).withDropout(new Dropout(0.1, 0.1, 5));
    ComputationGraphConfiguration conf = DistillationGraph.configuration(layer, 1);
    assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()), "dropout travels to executors");
    MultiDataSet data = goldenData(null);
    double reference = Golden.json("losses.json").get("intermediate_total").asDouble();

    double[] scores = new double[3];
    for (int i = 0; i < 3; i++) {
      ComputationGraph g = DistillationGraph.create(layer, 1, Golden.checkpoint("student").weights());
      // The third graph is one step further: its masks differ.
      if (i == 2) g.getConfiguration().setIterationCount(1);
      g.setInputs(data.getFeatures());
      g.setLabels(data.getLabels());
      g.computeGradientAndScore();
      scores[i] = g.score();
    }
    assertEquals(scores[0], scores[1], 0.0, "same step, same minibatch: same masks");
    assertTrue(Math.abs(scores[0] - reference) > 1e-3 * reference, "dropout changes the training loss: " + scores[0]
        + " vs " + reference);
    assertTrue(scores[2] != scores[0], "another step draws other masks");

    ComputationGraph g = DistillationGraph.create(layer, 1, Golden.checkpoint("student").weights());
    INDArray eval = g.outputSingle(false, data.getFeatures(0));
    ComputationGraph plain = DistillationGraph.create(goldenLayer(LossWeights.intermediate(), null), 1,
        Golden.checkpoint("student").weights());
    assertEquals(plain.outputSingle(false, data.getFeatures(0)), eval, "no dropout outside training");
  }

  @Test
  void configurationSurvivesJsonAsSparkShipsIt() {
    DistillationLayer layer = goldenLayer(LossWeights.intermediate(), new WarmupLinearSchedule(1e-3, 0.1, 100));
    ComputationGraphConfiguration conf = DistillationGraph.configuration(layer, 3);
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph a = new ComputationGraph(conf);
    a.init();
    ComputationGraph b = new ComputationGraph(back);
    b.init();
    assertArrayEquals(a.params().toFloatVector(), b.params().toFloatVector(), "seeded initialisation");
  }

  /**
   * The mapping is typed in code but stays the setting's text in the layer's JSON, which checkpoints hold
   * (configuration.json): one written before it was typed, with {@code "layerMapping" : "2,4"}, reads back.
   */
  @Test
  void theLayerMappingIsTheSettingsTextInTheJsonCheckpointsHold() {
    DistillationLayer layer = goldenLayer(LossWeights.intermediate(), null);
    assertEquals(LayerMappingSetting.UNIFORM, layer.getLayerMapping());
    String json = DistillationGraph.configuration(layer, 3).toJson();
    Matcher m = Pattern.compile("\"layerMapping\"\\s*:\\s*\"uniform\"").matcher(json);
    assertTrue(m.find(), json);
    String written = m.replaceFirst("\"layerMapping\" : \"2,4\"");
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(written);
    DistillationLayer read = (DistillationLayer) ((LayerVertex) back.getVertices().get(DistillationGraph.LAYER))
        .getLayerConf().getLayer();
    assertEquals(LayerMappingSetting.parse("2,4").orElseThrow(), read.getLayerMapping());
    assertEquals(written, back.toJson());
  }

  @Test
  void oneStepMovesEveryStudentParameterAndNoTeacherOne() {
    DistillationLayer layer = goldenLayer(LossWeights.intermediate(), null);
    ComputationGraph g = DistillationGraph.create(layer, 1, Golden.checkpoint("student").weights());
    Map<String, INDArray> before = new java.util.LinkedHashMap<>();
    DistillationGraph.studentWeights(g).forEach((k, v) -> before.put(k, v.dup()));
    INDArray teacherWord = ExecutorRuntime.model(Golden.hadoopPath("teacher").toString()).frozen().params()
        .get("bert.embeddings.word_embeddings.weight").dup();
    g.fit(goldenData(null));
    Map<String, INDArray> after = DistillationGraph.studentWeights(g);
    for (Map.Entry<String, INDArray> e : before.entrySet()) {
      // The classifier and pooler take no gradient from intermediate losses and carry no weight decay on biases.
      if (e.getKey().startsWith("classifier") || e.getKey().startsWith("bert.pooler")) continue;
      assertTrue(!e.getValue().equals(after.get(e.getKey())), e.getKey() + " did not move");
    }
    assertEquals(teacherWord, ExecutorRuntime.model(Golden.hadoopPath("teacher").toString()).frozen().params()
        .get("bert.embeddings.word_embeddings.weight"));
  }
}
