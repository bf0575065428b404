package org.tinybert.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.GoldenGlue;
import org.tinybert.glue.Split;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.core.Engine;
import org.tinybert.testing.Engines;
import org.tinybert.testing.Golden;

/**
 * {@link Scorer} gives the bits of a plain forward pass: handing a batch's activations back to the pool (which the
 * GLUE evaluation did not do before it scored through here) must not change the next batch's numbers.
 */
class ScorerTest {
  @ParameterizedTest
  @EnumSource(ClassifierHead.class)
  void logitsAreThoseOfAPlainForwardPassBatchAfterBatch(ClassifierHead head) {
    for (Engine engine : Engines.available()) check(head, Golden.model("student").withEngine(engine));
  }

  private static void check(ClassifierHead head, BertModel loaded) {
    GlueFeatures features = new GlueFeatures(GlueTask.MNLI, null, GoldenGlue.tokenizer(), GoldenGlue.maxSeqLength());
    List<GlueFeature> all = features.encodeAll(GoldenGlue.examples(GlueTask.MNLI, Split.DEV));
    List<BertBatch> batches = new ArrayList<>();
    for (int from = 0; from < all.size(); from += 3) {
      batches.add(GlueFeatures.batch(all.subList(from, Math.min(all.size(), from + 3))));
    }
    for (BertModel model : new BertModel[] {loaded, loaded.frozen()}) {
      List<float[][]> plain = new ArrayList<>();
      for (BertBatch b : batches) plain.add(head.logits(model.forward(b, false, false)).toFloatMatrix());
      Scorer scorer = new Scorer(model, Scorer.Reads.LOGITS, head);
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < batches.size(); i++) {
          float[][] got = scorer.score(batches.get(i));
          assertEquals(plain.get(i).length, got.length);
          for (int r = 0; r < got.length; r++) {
            assertArrayEquals(plain.get(i)[r], got[r], model.engine().name() + " batch " + i + " row " + r
                + " round " + round);
          }
        }
      }
    }
  }
}
