package org.tinybert.glue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.tinybert.testing.Golden;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * The golden batch ({@code golden/inputs.json}: 7 single sentences and pairs, max_seq_length 20) as GLUE examples:
 * for a classification task each example's label id names the task's label of that id; for STS-B the label is the
 * example's regression label; for the test split there is none.
 */
public final class GoldenGlue {
  private GoldenGlue() {}

  static JsonNode inputs() {
    return Golden.json("inputs.json");
  }

  public static int maxSeqLength() {
    return inputs().get("max_seq_length").asInt();
  }

  public static BertTokenizer tokenizer() {
    return new BertTokenizer(Vocab.load(Golden.hadoopPath("vocab.txt"), GlueFixtures.CONF), true);
  }

  public static List<GlueExample> examples(GlueTask task, Split split) {
    List<GlueExample> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : inputs().get("examples")) {
      String label = null;
      if (split.labelled()) {
        label = task.outputMode() == OutputMode.REGRESSION ? e.get("regression_label").asText()
            : task.labels().get(e.get("label").asInt());
      }
      String b = e.get("text_b").isNull() ? null : e.get("text_b").asText();
      out.add(new GlueExample(split.guidPrefix() + "-" + i, "g" + i, e.get("text_a").asText(), b, label, i + 2));
      i++;
    }
    return out;
  }
}
