package org.tinybert.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueFeature;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.io.InputException;
import org.tinybert.metrics.GlueMetrics;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.core.BertConfig;

/**
 * Runs a sequence classifier over GLUE examples and scores it: batches of {@link GlueFeature}s through the model
 * ({@link Scorer}, as {@code infer} runs it), the argmax of the chosen head's logits as the predicted label (the first
 * maximum on ties, as numpy's argmax) or {@code logits[:, 0]} as the predicted score (STS-B), then {@link GlueMetrics}.
 *
 * <p>The same code serves the {@code evaluate} and {@code predict} jobs on the executors (one partition at a time,
 * {@link #predictExamples}) and the distillation jobs on the driver (a dev set encoded once, scored every few steps
 * with {@link #evaluateFeatures} to keep the best checkpoint). Serializable with its tokenizer.
 */
public final class GlueEvaluator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final GlueFeatures features;
  private final ClassifierHead head;
  private final int batchSize;

  /** @param batchSize examples per forward pass, >= 1 */
  public GlueEvaluator(GlueFeatures features, ClassifierHead head, int batchSize) {
    this.features = Objects.requireNonNull(features, "features");
    this.head = Objects.requireNonNull(head, "head");
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, found " + batchSize);
    this.batchSize = batchSize;
  }

  public GlueFeatures features() {
    return features;
  }

  public TaskDefinition task() {
    return features.task();
  }

  public ClassifierHead head() {
    return head;
  }

  public int batchSize() {
    return batchSize;
  }

  // ---------------------------------------------------------------- checks

  /**
   * What can be told from a model's {@code config.json} alone (so a driver can refuse a model before any executor
   * loads it): the sequence length fits its position embeddings, and its label count, where the config states one
   * ({@code num_labels} or {@code id2label}), is the task's.
   *
   * @param source names the model in messages
   */
  public static void checkConfig(TaskDefinition task, int maxSeqLength, BertConfig config, Object source) {
    if (maxSeqLength > config.maxPositionEmbeddings()) {
      throw new InputException("max_seq_length " + maxSeqLength + " of " + task
          + " exceeds max_position_embeddings " + config.maxPositionEmbeddings() + " of the model at " + source
          + "; set a max sequence length <= " + config.maxPositionEmbeddings());
    }
    boolean stated = config.raw().has("num_labels") || config.raw().has("id2label");
    if (stated) checkLabels(task, config.numLabels(), source);
  }

  /** {@link #checkConfig} on a loaded model, plus: it has a pooler and a classifier, and the vocabulary fits. */
  public void checkModel(BertModel model, Object source) {
    TaskDefinition task = features.task();
    checkConfig(task, features.maxSeqLength(), model.config(), source);
    if (!model.hasPooler() || !model.hasClassifier()) {
      throw new InputException("the model at " + source + " has no sequence classifier (bert.pooler.dense "
          + "and classifier weights); " + task + " needs one with " + task.numLabels() + " output(s)");
    }
    checkLabels(task, model.config().numLabels(), source);
    int vocab = features.tokenizer().vocab().size();
    if (vocab > model.config().vocabSize()) {
      throw new InputException("vocabulary " + features.tokenizer().vocab().source() + " has " + vocab
          + " tokens but the model at " + source + " has vocab_size " + model.config().vocabSize());
    }
  }

  private static void checkLabels(TaskDefinition task, int numLabels, Object source) {
    if (numLabels != task.numLabels()) {
      String what = task.outputMode() == OutputMode.REGRESSION ? "1 output (a regression score)"
          : task.numLabels() + " labels " + task.labels();
      throw new InputException("the model at " + source + " has " + numLabels + " label(s) (num_labels); "
          + task + " needs " + what);
    }
  }

  // ---------------------------------------------------------------- prediction

  /** Predictions for {@code features}, in order. */
  public List<GluePrediction> predict(BertModel model, List<GlueFeature> encoded) {
    List<GluePrediction> out = new ArrayList<>(encoded.size());
    for (int from = 0; from < encoded.size(); from += batchSize) {
      out.addAll(predictBatch(model, encoded.subList(from, Math.min(encoded.size(), from + batchSize))));
    }
    return out;
  }

  /**
   * Predictions for a stream of examples, encoded and run {@link #batchSize} at a time as the result is consumed, so a
   * partition of any size never holds more than one batch of features.
   */
  public Iterator<GluePrediction> predictExamples(BertModel model, Iterator<GlueExample> examples) {
    return new Iterator<>() {
      private Iterator<GluePrediction> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && examples.hasNext()) {
          List<GlueFeature> batch = new ArrayList<>(batchSize);
          while (batch.size() < batchSize && examples.hasNext()) batch.add(features.encode(examples.next()));
          current = predictBatch(model, batch).iterator();
        }
        return current.hasNext();
      }

      @Override
      public GluePrediction next() {
        if (!hasNext()) throw new NoSuchElementException();
        return current.next();
      }
    };
  }

  private List<GluePrediction> predictBatch(BertModel model, List<GlueFeature> batch) {
    // Padded to max_seq_length, as the reference scores GLUE.
    float[][] logits = new Scorer(model, Scorer.Reads.LOGITS, head).score(GlueFeatures.batch(batch)); // [B, C]
    boolean regression = features.task().outputMode() == OutputMode.REGRESSION;
    List<GluePrediction> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GlueFeature x = batch.get(i);
      float[] row = logits[i];
      if (regression) {
        out.add(new GluePrediction(x.index(), -1, row[0], -1, x.regressionLabel()));
      } else {
        out.add(new GluePrediction(x.index(), argmax(row), Float.NaN, x.labelId(), Float.NaN));
      }
    }
    return out;
  }

  /** The first index of the maximum, as numpy's argmax. */
  static int argmax(float[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    return best;
  }

  // ---------------------------------------------------------------- scoring

  /** Encodes the examples, predicts and scores them. */
  public GlueEvaluation evaluate(BertModel model, List<GlueExample> examples) {
    return evaluateFeatures(model, features.encodeAll(examples));
  }

  /** Predicts and scores labelled features (a dev set encoded once, scored many times). */
  public GlueEvaluation evaluateFeatures(BertModel model, List<GlueFeature> encoded) {
    List<GluePrediction> predictions = predict(model, encoded);
    return new GlueEvaluation(features.task(), metrics(features.task(), features.labels(), predictions), predictions);
  }

  /**
   * The task's metrics ({@link GlueMetrics#compute}) of labelled predictions. Label ids are in {@code labels}' order
   * and are mapped to the task's own order first, so F1's positive class is the label named "1" whatever the model's
   * order.
   *
   * @param labels the model's label order; null for TinyBERT's (and for the regression task)
   */
  public static Map<String, Double> metrics(TaskDefinition task, GlueLabels labels, List<GluePrediction> predictions) {
    int n = predictions.size();
    if (n == 0) throw new IllegalArgumentException("no predictions to score for " + task);
    for (GluePrediction p : predictions) {
      if (!p.labelled()) {
        throw new InputException("example with index '" + p.index() + "' of " + task + " has no gold label "
            + "(a test split?): metrics need labelled examples");
      }
    }
    if (task.outputMode() == OutputMode.REGRESSION) {
      double[] preds = new double[n];
      double[] gold = new double[n];
      for (int i = 0; i < n; i++) {
        preds[i] = predictions.get(i).score();
        gold[i] = predictions.get(i).goldScore();
      }
      return GlueMetrics.compute(task, preds, gold);
    }
    GlueLabels order = labels == null ? GlueLabels.of(task) : labels;
    int[] preds = new int[n];
    int[] gold = new int[n];
    for (int i = 0; i < n; i++) {
      preds[i] = order.canonicalId(predictions.get(i).labelId());
      gold[i] = order.canonicalId(predictions.get(i).goldLabelId());
    }
    return GlueMetrics.compute(task, preds, gold);
  }
}
