package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tinybert.testing.Tensors.assertGradientClose;
import static org.tinybert.testing.Tensors.assertRelClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.model.BertBatch;
import org.tinybert.model.BertModel;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.testing.Golden;

/** TinyBERT's losses and their gradients against the reference (losses rel 1e-5, gradients 1e-4 * max|g|). */
class GoldenLossTest {
  static final double REL = 1e-5;
  static JsonNode losses;
  static Map<String, INDArray> expected;
  static BertModel.Forward teacher;
  static BertModel student;
  static ParamLayout layout;
  static LayerMapping mapping;

  @BeforeAll
  static void run() {
    losses = Golden.json("losses.json");
    expected = Golden.expected();
    BertBatch batch = Golden.batch("batch");
    BertModel t = Golden.model("teacher");
    teacher = t.forward(batch, false, false);
    HfCheckpoint s = Golden.checkpoint("student");
    layout = new ParamLayout(HfNames.expectedShapes(s.config(), s.heads()));
    INDArray flat = layout.newFlat();
    layout.copyInto(s.weights(), flat);
    student = new BertModel(s.config(), layout.views(flat));
    mapping = LayerMapping.uniform(t.config().numHiddenLayers(), s.config().numHiddenLayers());
  }

  record Run(DistillationLoss.Result result, Map<String, INDArray> grads) {}

  static Run run(LossWeights w, float[] labels) {
    BertModel.Forward f = student.forward(Golden.batch("batch"), true, true);
    BertModel.OutputGrads og = new BertModel.OutputGrads(student.config().numHiddenLayers());
    DistillationLoss.Result r = new DistillationLoss(mapping, w).compute(teacher, f, labels, og);
    Map<String, INDArray> grads = layout.views(layout.newFlat());
    student.backward(f, og, grads);
    return new Run(r, grads);
  }

  @Test
  void uniformMappingIsTinyBertsMapping() {
    JsonNode m = losses.get("layer_map");
    assertArrayEquals(Golden.intArray(m.get("att_teacher_index_0based")), mapping.attentionTeacherLayer());
    assertArrayEquals(Golden.intArray(m.get("rep_teacher_index_0based")), mapping.representationTeacherIndex());
  }


  @Test
  void intermediateLossesAndGradientsMatch() {
    Run r = run(LossWeights.intermediate(), null);
    assertRelClose("att_loss", losses.get("att_loss").asDouble(), r.result().attention(), REL);
    for (int i = 0; i < r.result().attentionPerLayer().length; i++) {
      assertRelClose("att_loss[" + i + "]", losses.get("att_loss_per_layer").get(i).asDouble(),
          r.result().attentionPerLayer()[i], REL);
    }
    assertRelClose("emb_loss", losses.get("emb_loss").asDouble(), r.result().embedding(), REL);
    assertRelClose("hidden_loss", losses.get("hidden_loss").asDouble(), r.result().hidden(), REL);
    assertRelClose("rep_loss", losses.get("rep_loss").asDouble(), r.result().representation(), REL);
    for (int i = 0; i < r.result().representationPerLayer().length; i++) {
      assertRelClose("rep_loss[" + i + "]", losses.get("rep_loss_per_layer").get(i).asDouble(),
          r.result().representationPerLayer()[i], REL);
    }
    assertRelClose("intermediate_total", losses.get("intermediate_total").asDouble(), r.result().total(), REL);
    int compared = 0;
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      if (!e.getKey().startsWith("grad.")) continue;
      String name = e.getKey().substring("grad.".length());
      assertGradientClose(e.getKey(), e.getValue(), r.grads().get(name));
      compared++;
    }
    assertEquals(39, compared);
  }

  /**
   * Gradients are linear in the loss: attention-only plus representation-only equals both. With the attention loss
   * alone the top layer's output gets no gradient, which takes backward's path through the scores only.
   */
  @Test
  void gradientsOfSeparateLossesAddUp() {
    Map<String, INDArray> att = run(new LossWeights(1, 0, 0, 0, 0, 1, false, false), null).grads();
    Map<String, INDArray> rep = run(new LossWeights(0, 1, 1, 0, 0, 1, false, false), null).grads();
    Map<String, INDArray> both = run(LossWeights.intermediate(), null).grads();
    for (String name : both.keySet()) {
      assertGradientClose(name, both.get(name), att.get(name).add(rep.get(name)));
    }
    INDArray topValue = att.get(HfNames.weight(HfNames.value(student.config().numHiddenLayers() - 1)));
    assertEquals(0.0, topValue.amaxNumber().doubleValue(), "no gradient reaches the top layer's values");
  }

  @Test
  void predictionLossAndGradientsMatchAtTheTemperature() {
    double t = losses.get("temperature").asDouble();
    Run r = run(LossWeights.prediction(t, false), null);
    assertRelClose("pred_loss", losses.get("pred_loss").asDouble(), r.result().prediction(), REL);
    int compared = 0;
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      if (!e.getKey().startsWith("grad_pred.")) continue;
      assertGradientClose(e.getKey(), e.getValue(), r.grads().get(e.getKey().substring("grad_pred.".length())));
      compared++;
    }
    assertEquals(5, compared);
  }

  @Test
  void otherPredictionVariantsMatch() {
    assertRelClose("pred_loss_T1", losses.get("pred_loss_T1").asDouble(),
        run(LossWeights.prediction(1.0, false), null).result().prediction(), REL);
    assertRelClose("pred_loss_relu_logits_T1", losses.get("pred_loss_relu_logits_T1").asDouble(),
        run(new LossWeights(0, 0, 0, 1, 0, 1.0, false, true), null).result().prediction(), REL);
    assertRelClose("regression_loss", losses.get("regression_loss").asDouble(),
        run(LossWeights.prediction(1.0, true), Golden.regressionLabels()).result().label(), REL);
    LossWeights all = new LossWeights(1, 1, 1, 1, 0, losses.get("temperature").asDouble(), false, false);
    assertRelClose("total", losses.get("total").asDouble(), run(all, null).result().total(), REL);
  }
}
