package org.tinybert.distill;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DL4J {@link ComputationGraph} that trains a student: one input (the packed batch, see {@link BatchEncoding})
 * feeding one {@link DistillationLayer}. Local training calls {@code fit} on it; Spark training hands it to
 * {@code SparkComputationGraph}.
 */
public final class DistillationGraph {
  public static final String INPUT = "batch";
  public static final String LAYER = "student";

  private DistillationGraph() {}

  public static ComputationGraphConfiguration configuration(DistillationLayer layer, long seed) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        // Our layer allocates its own arrays (they outlive single calls); DL4J workspaces would reclaim them.
        .trainingWorkspaceMode(WorkspaceMode.NONE)
        .inferenceWorkspaceMode(WorkspaceMode.NONE)
        .graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.feedForward(3L * layer.getSeqLength()))
        .addLayer(LAYER, layer, INPUT)
        .setOutputs(LAYER)
        .build();
  }

  /** A graph with freshly initialised parameters (BERT init, seeded by the layer's init seed). */
  public static ComputationGraph create(DistillationLayer layer, long seed) {
    ComputationGraph g = new ComputationGraph(configuration(layer, seed));
    g.init();
    return g;
  }

  /** A graph whose student starts from the given weights (HF names; every student parameter must be present). */
  public static ComputationGraph create(DistillationLayer layer, long seed, Map<String, INDArray> weights) {
    ComputationGraph g = create(layer, seed);
    layer.studentSpec().layout().copyInto(weights, g.getLayer(LAYER).params());
    return g;
  }

  /** The student's parameters as views by Hugging Face name (live: they change as the graph trains). */
  public static Map<String, INDArray> studentWeights(ComputationGraph g) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    g.getLayer(LAYER).paramTable().forEach((k, v) -> out.put(StudentSpec.hfName(k), v));
    return out;
  }

  public static DistillationLayer layerConf(ComputationGraph g) {
    return (DistillationLayer) g.getLayer(LAYER).conf().getLayer();
  }
}
