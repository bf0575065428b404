package org.tinybert.glue;

import java.io.Serializable;

/**
 * What a model predicted for one example, with the example's gold label when its split has one: small enough to
 * collect from every executor to the driver.
 *
 * @param index the example's GLUE index (what the GLUE server matches test predictions by)
 * @param labelId the predicted label's id in the model's label order (argmax of the logits); -1 for regression
 * @param score the predicted score of a regression task ({@code logits[:, 0]}); NaN for classification
 * @param goldLabelId the gold label's id in the model's label order; -1 when there is none or for regression
 * @param goldScore the gold score of a regression task; NaN when there is none or for classification
 */
public record GluePrediction(String index, int labelId, float score, int goldLabelId, float goldScore)
    implements Serializable {

  /** Whether the example had a gold label. */
  public boolean labelled() {
    return goldLabelId >= 0 || !Float.isNaN(goldScore);
  }
}
