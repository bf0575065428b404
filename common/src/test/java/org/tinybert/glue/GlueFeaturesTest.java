package org.tinybert.glue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tinybert.model.core.BertBatch;
import org.tinybert.testing.Golden;

/** GLUE examples to model input, against the golden packed batch (BERT's pair truncation at max_seq_length 20). */
class GlueFeaturesTest {

  @Test
  void packedIdsAndLabelsEqualTheGoldenInputs() {
    GlueFeatures enc = new GlueFeatures(GlueTask.MNLI, null, GoldenGlue.tokenizer(), GoldenGlue.maxSeqLength());
    List<GlueFeature> fs = enc.encodeAll(GoldenGlue.examples(GlueTask.MNLI, Split.DEV));
    JsonNode examples = GoldenGlue.inputs().get("examples");
    assertEquals(examples.size(), fs.size());
    for (int i = 0; i < fs.size(); i++) {
      JsonNode e = examples.get(i);
      GlueFeature f = fs.get(i);
      assertArrayEquals(Golden.intArray(e.get("input_ids")), f.inputIds(), "input_ids " + i);
      assertArrayEquals(Golden.intArray(e.get("segment_ids")), f.segmentIds(), "segment_ids " + i);
      assertArrayEquals(Golden.intArray(e.get("input_mask")), f.inputMask(), "input_mask " + i);
      assertEquals(e.get("seq_length").asInt(), f.seqLength(), "seq_length " + i);
      assertEquals(e.get("label").asInt(), f.labelId(), "label " + i);
      assertTrue(Float.isNaN(f.regressionLabel()));
      assertEquals("g" + i, f.index());
    }
    BertBatch golden = Golden.batch("batch");
    BertBatch batch = GlueFeatures.batch(fs);
    assertEquals(golden.batchSize(), batch.batchSize());
    assertEquals(golden.seqLength(), batch.seqLength());
    assertArrayEquals(golden.inputIds(), batch.inputIds());
    assertArrayEquals(golden.segmentIds(), batch.segmentIds());
    assertArrayEquals(golden.inputMask(), batch.inputMask());
  }

  @Test
  void labelIdsFollowTheModelsLabelOrder() {
    List<String> order = List.of("entailment", "neutral", "contradiction");
    GlueFeatures enc = new GlueFeatures(GlueTask.MNLI, GlueLabels.of(GlueTask.MNLI, order), GoldenGlue.tokenizer(),
        GoldenGlue.maxSeqLength());
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.DEV);
    for (GlueExample e : ex) assertEquals(order.indexOf(e.label()), enc.encode(e).labelId(), e.guid());
  }

  @Test
  void regressionLabelsAreTheScoresAsFloat() {
    GlueFeatures enc = new GlueFeatures(GlueTask.STS_B, null, GoldenGlue.tokenizer(), GoldenGlue.maxSeqLength());
    List<GlueFeature> fs = enc.encodeAll(GoldenGlue.examples(GlueTask.STS_B, Split.DEV));
    float[] expected = Golden.regressionLabels();
    for (int i = 0; i < fs.size(); i++) {
      assertEquals(expected[i], fs.get(i).regressionLabel(), 0f, "example " + i);
      assertEquals(-1, fs.get(i).labelId());
    }
  }

  @Test
  void testExamplesHaveNoLabel() {
    GlueFeatures enc = GlueFeatures.of(GlueTask.MNLI, GoldenGlue.tokenizer());
    for (GlueFeature f : enc.encodeAll(GoldenGlue.examples(GlueTask.MNLI, Split.TEST))) {
      assertEquals(-1, f.labelId());
      assertTrue(Float.isNaN(f.regressionLabel()));
      assertFalse(f.labelled());
    }
  }

  @ParameterizedTest(name = "{0} pads to {1}")
  @CsvSource({"cola, 64", "sst-2, 64", "mrpc, 128", "mnli, 128", "sts-b, 128"})
  void zeroMeansTheTasksMaxSeqLength(String task, int expected) {
    GlueFeatures enc = new GlueFeatures(GlueTask.byName(task), null, GoldenGlue.tokenizer(), 0);
    assertEquals(expected, enc.maxSeqLength());
    GlueExample e = GoldenGlue.examples(GlueTask.MNLI, Split.TEST).get(4);
    assertEquals(expected, enc.encode(e).inputIds().length);
  }

  @Test
  void pairTruncationAtAnOverriddenLength() {
    // Example 4 is a pair; at 8 tokens the longer side loses a token at a time until a + b fit in 8 - 3.
    GlueExample pair = GoldenGlue.examples(GlueTask.MNLI, Split.DEV).get(4);
    GlueFeature f = new GlueFeatures(GlueTask.MNLI, null, GoldenGlue.tokenizer(), 8).encode(pair);
    var expected = GoldenGlue.tokenizer().encode(pair.textA(), pair.textB(), 8);
    assertArrayEquals(expected.inputIds(), f.inputIds());
    assertArrayEquals(expected.segmentIds(), f.segmentIds());
    assertEquals(8, f.seqLength());
    // [CLS] 3 of a [SEP] 2 of b [SEP]: a is the longer sentence, so it gives up tokens until both are within one.
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, f.segmentIds());
  }

  @Test
  void tooShortALengthNamesTheTaskAndTheMinimum() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GlueFeatures(GlueTask.MRPC, null, GoldenGlue.tokenizer(), 2));
    assertEquals("max_seq_length of mrpc must be 0 (the task's, 128) or >= 3 to hold [CLS] a [SEP] b [SEP], found 2",
        e.getMessage());
  }

  @Test
  void regressionTaskTakesNoLabelOrder() {
    assertThrows(IllegalArgumentException.class,
        () -> new GlueFeatures(GlueTask.STS_B, GlueLabels.of(GlueTask.MNLI), GoldenGlue.tokenizer(), 0));
  }

  @Test
  void aBatchNeedsOneLength() {
    GlueExample e = GoldenGlue.examples(GlueTask.MNLI, Split.DEV).get(0);
    GlueFeature a = new GlueFeatures(GlueTask.MNLI, null, GoldenGlue.tokenizer(), 10).encode(e);
    GlueFeature b = new GlueFeatures(GlueTask.MNLI, null, GoldenGlue.tokenizer(), 12).encode(e);
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> GlueFeatures.batch(List.of(a, b)));
    assertTrue(x.getMessage().contains("dev-0 has 10, dev-0 has 12"), x.getMessage());
  }

  @Test
  void survivesJavaSerializationAsSparkShipsIt() throws Exception {
    GlueFeatures enc = new GlueFeatures(GlueTask.MNLI, GlueLabels.of(GlueTask.MNLI,
        List.of("neutral", "entailment", "contradiction")), GoldenGlue.tokenizer(), GoldenGlue.maxSeqLength());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(enc);
    }
    GlueFeatures copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (GlueFeatures) in.readObject();
    }
    List<GlueExample> ex = GoldenGlue.examples(GlueTask.MNLI, Split.DEV);
    assertEquals(enc.encodeAll(ex), copy.encodeAll(ex));
  }
}
