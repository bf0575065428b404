package org.tinybert.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.tinybert.config.ClipMode;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.core.BertConfig;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;
import org.tinybert.testing.GeneratedText;
import org.tinybert.testing.Golden;

/**
 * A freshly initialised student distilled from the golden teacher (6 layers, hidden 48) on generated text: the
 * intermediate loss (attention + embedding + hidden) falls at least tenfold in 300 steps, the same for the same seed.
 *
 * <p>The text uses ten words: the random teacher's attention depends on every token's embedding, which a student
 * must re-learn, so a small lexicon keeps "a few hundred steps" enough. The student is 3 layers (uniform mapping, every
 * second teacher layer) at the teacher's width.
 */
class LearningTest {
  static final int STEPS = 300;
  static final int BATCH = 8;
  static final int SEQ = 24;

  static double[] distil(long seed, int steps) {
    BertConfig teacher = Golden.checkpoint("teacher").config();
    BertConfig cfg = new BertConfig(teacher.vocabSize(), 48, 3, 4, 96, "gelu", teacher.maxPositionEmbeddings(), 2,
        1e-12, 0, 2, teacher.hiddenSize(), 0.02, null);
    StudentSpec spec = new StudentSpec(cfg, new Heads(false, 0, false, false, Heads.Fit.SHARED, teacher.hiddenSize()));
    DistillationLayer layer = new DistillationLayer(spec, Golden.hadoopPath("teacher").toString(),
        LayerMappingSetting.UNIFORM, LossWeights.intermediate(),
        BertAdam.bertAdam(5e-3, new WarmupLinearSchedule(5e-3, 0.1, STEPS)), 0.01, ClipMode.PER_TENSOR, 1.0, seed, SEQ);
    ComputationGraph g = DistillationGraph.create(layer, seed);
    Vocab vocab = Vocab.load(Golden.hadoopPath("vocab.txt"), new Configuration());
    BertTokenizer tok = new BertTokenizer(vocab, true);
    List<String> text = GeneratedText.sentences(vocab, 16, 4, 16, 10, seed);
    double[] losses = new double[steps];
    float[] noLabels = new float[BATCH];
    for (int s = 0; s < steps; s++) {
      g.fit(new MultiDataSet(BatchEncoding.features(GeneratedText.batch(tok, text, s * BATCH, BATCH, SEQ)),
          BatchEncoding.labels(noLabels)));
      losses[s] = g.score();
    }
    return losses;
  }

  @Test
  void intermediateLossFallsTenfoldDeterministically() {
    double[] a = distil(11, STEPS);
    double first = (a[0] + a[1] + a[2]) / 3;
    double last = (a[STEPS - 1] + a[STEPS - 2] + a[STEPS - 3]) / 3;
    assertTrue(last * 10 <= first, "loss fell from " + first + " to " + last + ", less than 10x");
    // Same seed, same run: the first steps of a second run repeat the losses exactly.
    double[] b = distil(11, 40);
    assertArrayEquals(Arrays.copyOf(a, 40), b, 0.0, "same seed, same losses");
  }
}
