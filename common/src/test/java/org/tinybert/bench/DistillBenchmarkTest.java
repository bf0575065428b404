package org.tinybert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tinybert.distill.StudentSpec;
import org.tinybert.distill.DistillationLayerImpl;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.core.BertConfig;

/** The benchmark's plumbing on tiny models (the BERT-base timings themselves belong in docs/benchmarks.md). */
class DistillBenchmarkTest {
  static final BertConfig TEACHER = new BertConfig(100, 48, 2, 12, 96, "gelu", 64, 2, 1e-12, 0, 2, 0, 0.02, null);
  static final StudentSpec STUDENT = new StudentSpec(
      new BertConfig(100, 24, 1, 12, 48, "gelu", 64, 2, 1e-12, 0, 1, 48, 0.02, null),
      new Heads(true, 0, false, false, Heads.Fit.SHARED, 48));
  static final DistillBenchmark.Settings SETTINGS = new DistillBenchmark.Settings(2, 16, 3, 1, 3);

  @Test
  void distillStepReportsMedianThroughputAndMemory() {
    long before = DistillationLayerImpl.teacherForwards();
    Map<String, Object> r = DistillBenchmark.distillStep(SETTINGS, TEACHER, STUDENT);
    assertEquals(5, DistillationLayerImpl.teacherForwards() - before,
        "one teacher forward per step: warm-up, 3 timed, and the untimed one whose ND4J operations are counted");
    assertEquals("distill-step", r.get("benchmark"));
    assertEquals("2L/48/12h/96", r.get("teacher"));
    assertEquals("1L/24/12h/48 + fit_dense 24->48", r.get("student"));
    @SuppressWarnings("unchecked")
    List<Double> steps = (List<Double>) r.get("step_seconds");
    assertEquals(3, steps.size());
    double median = (Double) r.get("seconds_per_step");
    assertEquals(steps.stream().sorted().toList().get(1), median);
    // Reported seconds are rounded to 4 decimals and the tiny test models take milliseconds: allow that rounding.
    double lo = 2 / (median + 5e-5);
    double hi = 2 / Math.max(median - 5e-5, 1e-9);
    double eps = (Double) r.get("examples_per_second");
    assertTrue(eps >= lo * 0.999 && eps <= hi * 1.001, eps + " not in [" + lo + ", " + hi + "]");
    assertTrue(Double.isFinite((Double) r.get("final_loss")) && (Double) r.get("final_loss") > 0, r.toString());
    assertTrue((Long) r.get("peak_heap_bytes") > 0 && (Long) r.get("peak_rss_bytes") > 0, r.toString());
    assertEquals((Long) r.get("peak_heap_bytes") + (Long) r.get("peak_offheap_bytes"),
        (Long) r.get("peak_memory_bytes"), (Long) r.get("peak_memory_bytes") / 2.0, "peaks are sampled separately");
  }

  @Test
  void inferenceReportsTheTeacherToStudentRatio() {
    Map<String, Object> r = DistillBenchmark.inference(SETTINGS, TEACHER, STUDENT);
    double t = (Double) r.get("teacher_seconds");
    double s = (Double) r.get("student_seconds");
    assertTrue(t > 0 && s > 0, r.toString());
    // As above: the ratio is of unrounded times, the reported times are rounded to 4 decimals.
    double sp = (Double) r.get("speedup");
    double lo = (t - 5e-5) / (s + 5e-5);
    double hi = (t + 5e-5) / Math.max(s - 5e-5, 1e-9);
    assertTrue(sp >= lo * 0.99 && sp <= hi * 1.01, sp + " not in [" + lo + ", " + hi + "]");
  }

  @Test
  void randomBatchesKeepTheFirstSequenceWholeAndPadTheRest() {
    var b = DistillBenchmark.randomBatch(4, 10, 100, 1);
    for (int t = 0; t < 10; t++) assertEquals(1, b.inputMask()[t]);
    for (int i = 0; i < 4; i++) {
      int len = 0;
      for (int t = 0; t < 10; t++) len += b.inputMask()[i * 10 + t];
      assertTrue(len >= 5, "sequence " + i + " keeps " + len);
      for (int t = 0; t < 10; t++) {
        assertTrue(b.inputIds()[i * 10 + t] > 0 && b.inputIds()[i * 10 + t] < 100);
        assertEquals(t < 5 ? 0 : 1, b.segmentIds()[i * 10 + t]);
      }
    }
  }
}
