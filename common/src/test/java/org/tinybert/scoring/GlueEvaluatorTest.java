package org.tinybert.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.GoldenGlue;
import org.tinybert.glue.Split;
import org.tinybert.metrics.GlueMetrics;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.testing.Golden;
import org.tinybert.testing.TinyClassifiers;

/**
 * Predictions and metrics of {@link GlueEvaluator} on the golden batch: the predicted labels must be the argmax of the
 * reference's logits (HF head) or of its relu-pooled logits (TinyBERT head), the regression scores its first logit.
 */
class GlueEvaluatorTest {
  static Map<String, INDArray> expected;
  static BertModel student;

  @BeforeAll
  static void load() {
    expected = Golden.expected();
    student = Golden.model("student");
  }

  static GlueEvaluator evaluator(GlueTask task, GlueLabels labels, ClassifierHead head, int batchSize) {
    return new GlueEvaluator(new GlueFeatures(task, labels, GoldenGlue.tokenizer(), GoldenGlue.maxSeqLength()), head,
        batchSize);
  }

  static int[] argmaxRows(INDArray logits) {
    float[][] m = logits.toFloatMatrix();
    int[] out = new int[m.length];
    for (int i = 0; i < m.length; i++) {
      for (int c = 1; c < m[i].length; c++) if (m[i][c] > m[i][out[i]]) out[i] = c;
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(ClassifierHead.class)
  void predictedLabelsAreTheArgmaxOfTheReferenceLogits(ClassifierHead head) {
    INDArray logits = expected.get(head == ClassifierHead.HF ? "student.logits" : "student.logits_relu");
    int[] want = argmaxRows(logits);
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.DEV);
    GlueEvaluation ev = evaluator(GlueTask.MNLI, null, head, 3).evaluate(student, ex);
    int[] gold = new int[ex.size()];
    for (int i = 0; i < ex.size(); i++) {
      GluePrediction p = ev.predictions().get(i);
      assertEquals(want[i], p.labelId(), "example " + i);
      assertEquals("g" + i, p.index());
      gold[i] = GlueTask.MNLI.labels().indexOf(ex.get(i).label());
      assertEquals(gold[i], p.goldLabelId());
    }
    assertEquals(GlueMetrics.compute(GlueTask.MNLI, want, gold), ev.metrics());
    assertEquals(ev.metrics().get("acc"), ev.primary());
  }

  @Test
  void theHeadsPredictDifferentLabelsOnTheGoldenBatch() {
    // Else the test above could not tell a head setting that is ignored from one that works.
    assertFalse(Arrays.equals(argmaxRows(expected.get("student.logits")),
        argmaxRows(expected.get("student.logits_relu"))));
  }

  @Test
  void metricsAreComputedInTheTasksOwnLabelOrder() {
    // Under another order the same classifier rows name other labels: row r is order[r].
    List<String> order = List.of("neutral", "contradiction", "entailment");
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.DEV);
    GlueEvaluation ev = evaluator(GlueTask.MNLI, GlueLabels.of(GlueTask.MNLI, order), ClassifierHead.HF, 7)
        .evaluate(student, ex);
    int[] rows = argmaxRows(expected.get("student.logits"));
    int[] preds = new int[rows.length];
    int[] gold = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      preds[i] = GlueTask.MNLI.labels().indexOf(order.get(rows[i]));
      gold[i] = GlueTask.MNLI.labels().indexOf(ex.get(i).label());
      assertEquals(order.indexOf(ex.get(i).label()), ev.predictions().get(i).goldLabelId());
    }
    assertEquals(GlueMetrics.compute(GlueTask.MNLI, preds, gold), ev.metrics());
  }

  @Test
  void regressionScoresAreTheFirstLogit() {
    BertModel oneOutput = TinyClassifiers.student(1);
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.STS_B, Split.DEV);
    GlueEvaluation ev = evaluator(GlueTask.STS_B, null, ClassifierHead.HF, 4).evaluate(oneOutput, ex);
    float[][] logits = expected.get("student.logits").toFloatMatrix();
    float[] gold = Golden.regressionLabels();
    double[] p = new double[ex.size()];
    double[] y = new double[ex.size()];
    for (int i = 0; i < ex.size(); i++) {
      GluePrediction pr = ev.predictions().get(i);
      assertEquals(logits[i][0], pr.score(), 1e-4, "example " + i);
      assertEquals(-1, pr.labelId());
      assertEquals(gold[i], pr.goldScore(), 0f);
      p[i] = pr.score();
      y[i] = gold[i];
    }
    assertEquals(GlueMetrics.compute(GlueTask.STS_B, p, y), ev.metrics());
    assertEquals(ev.metrics().get("corr"), ev.primary());
  }

  @Test
  void batchSizeAndStreamingDoNotChangePredictions() {
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.TEST);
    GlueEvaluator one = evaluator(GlueTask.MNLI, null, ClassifierHead.HF, 1);
    GlueEvaluator all = evaluator(GlueTask.MNLI, null, ClassifierHead.HF, 7);
    List<GluePrediction> a = one.predict(student, one.features().encodeAll(ex));
    List<GluePrediction> b = new ArrayList<>();
    all.predictExamples(student, ex.iterator()).forEachRemaining(b::add);
    assertEquals(a, b);
    assertEquals(ex.size(), a.size());
  }

  @Test
  void testPredictionsCannotBeScored() {
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.TEST);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> evaluator(GlueTask.MNLI, null, ClassifierHead.HF, 7).evaluate(student, ex));
    assertEquals("example with index 'g0' of mnli has no gold label (a test split?): metrics need labelled examples",
        e.getMessage());
  }

  @Test
  void aModelWithTheWrongLabelCountIsRefusedNamingBoth() {
    GlueEvaluator mrpc = evaluator(GlueTask.MRPC, null, ClassifierHead.HF, 7);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mrpc.checkModel(student, "m/"));
    assertEquals("the model at m/ has 3 label(s) (num_labels); mrpc needs 2 labels [0, 1]", e.getMessage());
    GlueEvaluator stsb = evaluator(GlueTask.STS_B, null, ClassifierHead.HF, 7);
    e = assertThrows(IllegalArgumentException.class, () -> stsb.checkModel(student, "m/"));
    assertEquals("the model at m/ has 3 label(s) (num_labels); sts-b needs 1 output (a regression score)",
        e.getMessage());
    evaluator(GlueTask.MNLI, null, ClassifierHead.HF, 7).checkModel(student, "m/");
  }

  @Test
  void aSequenceLongerThanThePositionEmbeddingsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GlueEvaluator.checkConfig(GlueTask.MNLI, 128, student.config(), "m/"));
    assertEquals("max_seq_length 128 of mnli exceeds max_position_embeddings 64 of the model at m/; set a max "
        + "sequence length <= 64", e.getMessage());
  }
}
