package org.tinybert.distill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.ParamLayout;

/**
 * The student's parameters as DL4J sees them: one key per Hugging Face tensor (with '_' mapped, see
 * {@link StudentSpec#dl4jKey}), each a view into DL4J's flat parameter (or gradient) vector.
 */
public final class DistillationParamInitializer implements ParamInitializer {
  public static final DistillationParamInitializer INSTANCE = new DistillationParamInitializer();

  private DistillationParamInitializer() {}

  private static StudentSpec spec(Layer layer) {
    return ((DistillationLayer) layer).studentSpec();
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    return spec(layer).layout().size();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    List<String> keys = new ArrayList<>();
    for (String n : spec(layer).layout().names()) keys.add(StudentSpec.dl4jKey(n));
    return keys;
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return paramKeys(layer).stream().filter(k -> isWeightParam(layer, k)).toList();
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return paramKeys(layer).stream().filter(k -> isBiasParam(layer, k)).toList();
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return !isBiasParam(layer, key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return key.endsWith(".bias");
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    DistillationLayer layer = (DistillationLayer) conf.getLayer();
    StudentSpec spec = layer.studentSpec();
    ParamLayout layout = spec.layout();
    Map<String, INDArray> hf = layout.views(paramsView);
    if (initializeParams) StudentSpec.initialise(hf, spec.config().initializerRange(), layer.getInitSeed());
    return toDl4j(hf);
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return toDl4j(((DistillationLayer) conf.getLayer()).studentSpec().layout().views(gradientView));
  }

  private static Map<String, INDArray> toDl4j(Map<String, INDArray> hf) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    hf.forEach((k, v) -> out.put(StudentSpec.dl4jKey(k), v));
    return out;
  }
}
