package org.tinybert.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.tinybert.glue.GlueTask;
import org.tinybert.model.ClassifierHead;

/** Settings of evaluate, predict and metrics: defaults, the task list, and every problem reported at once. */
class GlueSettingsTest {
  private static List<String> problems(Runnable load) {
    SettingsException e = assertThrows(SettingsException.class, load::run);
    return e.problems().stream().map(SettingsException.Problem::message).toList();
  }

  private static com.typesafe.config.Config config(String root, String... sets) {
    return SettingsLoader.load(root, Optional.empty(), List.of(sets));
  }

  @Test
  void evaluateDefaults() {
    EvaluateSettings s = EvaluateSettings.from(config(EvaluateSettings.ROOT, "tinybert.evaluate.model=hdfs://nn/m",
        "tinybert.evaluate.task=mnli", "tinybert.evaluate.task-dir=/glue/MNLI"));
    GlueRunSettings r = s.run();
    assertEquals(new Path("hdfs://nn/m"), r.model());
    assertEquals(GlueTask.MNLI, r.task());
    assertEquals(List.of(GlueTask.MNLI, GlueTask.MNLI_MM), r.tasks());
    assertEquals(new Path("/glue/MNLI"), r.taskDir());
    assertEquals(128, r.maxSeqLength(GlueTask.MNLI_MM));
    assertEquals(32, r.batchSize());
    assertEquals(ClassifierHead.HF, r.head());
    assertEquals(List.of(), r.labelOrder());
    assertEquals(0, r.partitions());
    assertEquals(Optional.empty(), s.outputPath());
  }

  @Test
  void predictReadsHeadLabelOrderAndLength() {
    PredictSettings s = PredictSettings.from(config(PredictSettings.ROOT, "tinybert.predict.model=m",
        "tinybert.predict.task=cola", "tinybert.predict.task-dir=d", "tinybert.predict.output=out",
        "tinybert.predict.head=tinybert-relu", "tinybert.predict.label-order=[1, 0]",
        "tinybert.predict.max-seq-length=2"));
    assertEquals(ClassifierHead.TINYBERT_RELU, s.run().head());
    assertEquals(List.of("1", "0"), s.run().labelOrder());
    assertEquals(2, s.run().maxSeqLength(GlueTask.COLA));
    assertEquals(List.of(GlueTask.COLA), s.run().tasks());
    assertEquals(new Path("out"), s.output());
  }

  @Test
  void everyEvaluateProblemAtOnce() {
    assertEquals(List.of(
        "tinybert.evaluate.model must be set (a path), found nothing",
        "tinybert.evaluate.task must be one of " + GlueTask.names() + " (did you mean mnli?), found \"mnlii\" "
            + "(--set on the command line)",
        "tinybert.evaluate.task-dir must be set (a path), found nothing",
        "tinybert.evaluate.batch-size must be >= 1, found 0 (--set on the command line)",
        "tinybert.evaluate.head must be one of hf, tinybert-relu, found \"relu\" (--set on the command line)"),
        problems(() -> EvaluateSettings.from(config(EvaluateSettings.ROOT, "tinybert.evaluate.task=mnlii",
            "tinybert.evaluate.batch-size=0", "tinybert.evaluate.head=relu"))));
  }

  @Test
  void labelOrderAndLengthAreCheckedAgainstTheTask() {
    assertEquals(List.of(
        "tinybert.evaluate.max-seq-length must be 0 (the task's, 128) or >= 3 for rte, found 2 (--set on the command "
            + "line)",
        "tinybert.evaluate.label-order must be [] (TinyBERT's order) or list each of [entailment, not_entailment] "
            + "once, found [\"entailment\",\"entailment\"] (--set on the command line)"),
        problems(() -> EvaluateSettings.from(config(EvaluateSettings.ROOT, "tinybert.evaluate.model=m",
            "tinybert.evaluate.task=rte", "tinybert.evaluate.task-dir=d", "tinybert.evaluate.max-seq-length=2",
            "tinybert.evaluate.label-order=[entailment, entailment]"))));
    assertEquals(List.of("tinybert.metrics.label-order must be [] for the regression task sts-b, found [0,1] "
            + "(--set on the command line)"),
        problems(() -> MetricsSettings.from(config(MetricsSettings.ROOT, "tinybert.metrics.task=sts-b",
            "tinybert.metrics.predictions=p", "tinybert.metrics.gold=g", "tinybert.metrics.label-order=[0, 1]"))));
  }

  @Test
  void metricsNeedsTaskPredictionsAndGold() {
    assertEquals(List.of(
        "tinybert.metrics.task must be set (one of " + String.join(", ", GlueTask.names().split(", ")) + "), found "
            + "nothing",
        "tinybert.metrics.predictions must be set (a path), found nothing",
        "tinybert.metrics.gold must be set (a path), found nothing"),
        problems(() -> MetricsSettings.from(config(MetricsSettings.ROOT))));
  }
}
