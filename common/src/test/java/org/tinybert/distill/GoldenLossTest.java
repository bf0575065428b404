package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tinybert.testing.Tensors.assertGradientClose;
import static org.tinybert.testing.Tensors.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertModel;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Golden;
import org.tinybert.testing.GoldenSet;

/**
 * TinyBERT's losses and their gradients against the reference (losses rel 1e-5, gradients 1e-4 * max|g|), for every
 * golden set, on every engine this backend runs.
 */
public class GoldenLossTest {
  static final double REL = 1e-5;
  static final Map<List<Object>, Setting> SETTINGS = new ConcurrentHashMap<>();

  /** One set's teacher pass, student (in a flat layout, as training holds it) and mapping, computed once. */
  record Setting(GoldenSet set, JsonNode losses, Map<String, INDArray> expected, BertModel.Forward teacher,
      BertModel student, ParamLayout layout, LayerMapping mapping, Engine engine) {

    static Setting of(GoldenSet set, Engine engine) {
      return SETTINGS.computeIfAbsent(List.of(set, engine), k -> {
        BertModel t = set.model("teacher").withEngine(engine);
        HfCheckpoint ck = set.checkpoint("student");
        ParamLayout layout = new ParamLayout(HfNames.expectedShapes(ck.config(), ck.heads()));
        INDArray flat = layout.newFlat();
        layout.copyInto(ck.weights(), flat);
        return new Setting(set, set.json("losses.json"), set.expected(), t.forward(set.batch("batch"), false, false),
            new BertModel(ck.config(), layout.views(flat), engine), layout,
            LayerMapping.uniform(t.config().numHiddenLayers(), ck.config().numHiddenLayers()), engine);
      });
    }

    Run run(LossWeights w, float[] labels) {
      BertModel.Forward f = student.forward(set.batch("batch"), true, true);
      BertModel.OutputGrads og = new BertModel.OutputGrads(student.config().numHiddenLayers());
      DistillationLoss.Result r = new DistillationLoss(mapping, w, engine).compute(teacher, f, labels, og);
      Map<String, INDArray> grads = layout.views(layout.newFlat());
      student.backward(f, og, grads);
      return new Run(r, grads);
    }

    double loss(String name) {
      return losses.get(name).asDouble();
    }
  }

  record Run(DistillationLoss.Result result, Map<String, INDArray> grads) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.GoldenSet#all")
  void uniformMappingIsTinyBertsMapping(GoldenSet set) {
    Setting s = Setting.of(set, EngineChoice.AUTO.resolve());
    JsonNode m = s.losses().get("layer_map");
    assertArrayEquals(Golden.intArray(m.get("att_teacher_index_0based")), s.mapping().attentionTeacherLayer());
    assertArrayEquals(Golden.intArray(m.get("rep_teacher_index_0based")), s.mapping().representationTeacherIndex());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("org.tinybert.testing.Engines#goldenSets")
  void intermediateLossesAndGradientsMatch(GoldenSet set, Engine engine) {
    Setting s = Setting.of(set, engine);
    JsonNode losses = s.losses();
    Run r = s.run(LossWeights.intermediate(), null);
    assertRelClose("att_loss", s.loss("att_loss"), r.result().attention(), REL);
    assertEquals(losses.get("att_loss_per_layer").size(), r.result().attentionPerLayer().length);
    for (int i = 0; i < r.result().attentionPerLayer().length; i++) {
      assertRelClose("att_loss[" + i + "]", losses.get("att_loss_per_layer").get(i).asDouble(),
          r.result().attentionPerLayer()[i], REL);
    }
    assertRelClose("emb_loss", s.loss("emb_loss"), r.result().embedding(), REL);
    assertRelClose("hidden_loss", s.loss("hidden_loss"), r.result().hidden(), REL);
    assertRelClose("rep_loss", s.loss("rep_loss"), r.result().representation(), REL);
    assertEquals(losses.get("rep_loss_per_layer").size(), r.result().representationPerLayer().length);
    for (int i = 0; i < r.result().representationPerLayer().length; i++) {
      assertRelClose("rep_loss[" + i + "]", losses.get("rep_loss_per_layer").get(i).asDouble(),
          r.result().representationPerLayer()[i], REL);
    }
    assertRelClose("intermediate_total", s.loss("intermediate_total"), r.result().total(), REL);
    int compared = 0;
    for (Map.Entry<String, INDArray> e : s.expected().entrySet()) {
      if (!e.getKey().startsWith("grad.")) continue;
      String name = e.getKey().substring("grad.".length());
      assertGradientClose(e.getKey(), e.getValue(), r.grads().get(name));
      compared++;
    }
    // The reference gives a gradient for every parameter the intermediate loss reaches: all but pooler and classifier.
    long reached = s.layout().names().stream()
        .filter(n -> !n.startsWith(HfNames.POOLER + ".") && !n.startsWith(HfNames.CLASSIFIER + ".")).count();
    assertEquals(reached, compared);
  }

  /**
   * Gradients are linear in the loss: attention-only plus representation-only equals both. With the attention loss
   * alone the top layer's output gets no gradient, which takes backward's path through the scores only.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("org.tinybert.testing.Engines#goldenSets")
  void gradientsOfSeparateLossesAddUp(GoldenSet set, Engine engine) {
    Setting s = Setting.of(set, engine);
    Map<String, INDArray> att = s.run(new LossWeights(1, 0, 0, 0, 0, 1, false, false), null).grads();
    Map<String, INDArray> rep = s.run(new LossWeights(0, 1, 1, 0, 0, 1, false, false), null).grads();
    Map<String, INDArray> both = s.run(LossWeights.intermediate(), null).grads();
    for (String name : both.keySet()) {
      assertGradientClose(name, both.get(name), att.get(name).add(rep.get(name)));
    }
    INDArray topValue = att.get(HfNames.weight(HfNames.value(s.student().config().numHiddenLayers() - 1)));
    assertEquals(0.0, topValue.amaxNumber().doubleValue(), "no gradient reaches the top layer's values");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("org.tinybert.testing.Engines#goldenSets")
  void predictionLossAndGradientsMatchAtTheTemperature(GoldenSet set, Engine engine) {
    Setting s = Setting.of(set, engine);
    Run r = s.run(LossWeights.prediction(s.loss("temperature"), false), null);
    assertRelClose("pred_loss", s.loss("pred_loss"), r.result().prediction(), REL);
    int compared = 0;
    for (Map.Entry<String, INDArray> e : s.expected().entrySet()) {
      if (!e.getKey().startsWith("grad_pred.")) continue;
      assertGradientClose(e.getKey(), e.getValue(), r.grads().get(e.getKey().substring("grad_pred.".length())));
      compared++;
    }
    assertEquals(5, compared);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("org.tinybert.testing.Engines#goldenSets")
  void otherPredictionVariantsMatch(GoldenSet set, Engine engine) {
    Setting s = Setting.of(set, engine);
    assertRelClose("pred_loss_T1", s.loss("pred_loss_T1"),
        s.run(LossWeights.prediction(1.0, false), null).result().prediction(), REL);
    assertRelClose("pred_loss_relu_logits_T1", s.loss("pred_loss_relu_logits_T1"),
        s.run(new LossWeights(0, 0, 0, 1, 0, 1.0, false, true), null).result().prediction(), REL);
    assertRelClose("regression_loss", s.loss("regression_loss"),
        s.run(LossWeights.prediction(1.0, true), set.regressionLabels()).result().label(), REL);
    LossWeights all = new LossWeights(1, 1, 1, 1, 0, s.loss("temperature"), false, false);
    assertRelClose("total", s.loss("total"), s.run(all, null).result().total(), REL);
  }
}
