package org.tinybert.training;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLoss;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.runtime.ExecutorRuntime;
import org.tinybert.glue.GlueFeature;
import org.tinybert.model.BertModel;
import org.tinybert.model.core.BertBatch;
import org.tinybert.run.MetricsRound;

/**
 * The distillation losses of one fixed probe batch, measured on the driver after every averaging round and recorded in
 * metrics.jsonl ({@link MetricsRound.Probe}) as {@code probe_total}, {@code probe_attention}, {@code probe_embedding},
 * {@code probe_hidden}, {@code probe_attention_per_layer} (one per student layer) and {@code probe_hidden_per_layer}
 * (the embeddings, then one per student layer). The training loss is a mean over each round's different minibatches; only a fixed batch
 * gives points that compare from round to round, and only it gives the losses per layer.
 */
public final class ProbeLosses {
  private final BertBatch batch;
  private final String teacher;
  private final StudentSpec student;
  private final DistillationLoss loss;
  private BertModel.Forward teacherOut;

  /**
   * @param teacher the teacher's directory, loaded through {@link org.tinybert.runtime.ExecutorRuntime}
   * @param loss the layer mapping and the weights of the losses being distilled, and the engine that computes them
   */
  public ProbeLosses(BertBatch batch, String teacher, StudentSpec student, DistillationLoss loss) {
    this.batch = batch;
    this.teacher = teacher;
    this.student = student;
    this.loss = loss;
  }

  /** The first {@code examples} features (or all there are) as one batch. */
  public static BertBatch batch(List<GlueFeature> features, int examples) {
    int n = Math.min(examples, features.size());
    int[][] ids = new int[n][];
    int[][] segments = new int[n][];
    int[][] mask = new int[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = features.get(i).inputIds();
      segments[i] = features.get(i).segmentIds();
      mask[i] = features.get(i).inputMask();
    }
    return BertBatch.of(ids, segments, mask);
  }

  /** The losses of the student as it stands in {@code g}. */
  public DistillationLoss.Result measure(ComputationGraph g) {
    // The teacher and the batch never change: its outputs are computed once, not once per round.
    if (teacherOut == null) {
      teacherOut = ExecutorRuntime.model(teacher).frozen().withEngine(loss.engine()).forward(batch, false, false);
    }
    BertModel s = new BertModel(student.config(), DistillationGraph.studentWeights(g), loss.engine());
    LossWeights w = loss.weights();
    BertModel.Forward studentOut = s.forward(batch, false, w.embedding() > 0 || w.hidden() > 0);
    DistillationLoss.Result r = loss.compute(teacherOut, studentOut, null, null);
    studentOut.release();
    return r;
  }

  /** The probe's fields of a metrics.jsonl record. */
  public static MetricsRound.Probe probe(DistillationLoss.Result p) {
    return new MetricsRound.Probe(p.total(), p.attention(), p.embedding(), p.hidden(), p.attentionPerLayer(),
        p.representationPerLayer());
  }

  /** The probe's part of the round's log line. */
  public static String describe(DistillationLoss.Result p) {
    return String.format(" | probe loss %.4f (att %.4f, emb %.4f, hidden %.4f)", p.total(), p.attention(),
        p.embedding(), p.hidden());
  }
}
