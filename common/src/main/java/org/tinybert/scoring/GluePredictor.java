package org.tinybert.scoring;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.SerializableConfiguration;
import org.tinybert.glue.GlueExample;
import org.tinybert.glue.GlueFeatures;
import org.tinybert.glue.GlueLabels;
import org.tinybert.glue.GluePrediction;
import org.tinybert.glue.OutputMode;
import org.tinybert.glue.TaskDefinition;
import org.tinybert.model.BertModel;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.EngineChoice;

/**
 * Runs a model directory over GLUE examples on the executors: the examples are split into partitions, each executor
 * loads the model and its vocabulary once ({@link ScoringModel}), tokenizes and predicts its partitions batch by
 * batch ({@link GlueEvaluator#predictExamples}), and only the predictions come back to the driver, in example order.
 */
public final class GluePredictor {
  private GluePredictor() {}

  /**
   * What the executors need to predict: no weights, only where they are.
   *
   * @param model Hugging Face model directory (config.json, vocab.txt, weights)
   * @param labelOrder the model's label order; empty for TinyBERT's (and for regression)
   * @param cased keep case and accents (cased models); false lower-cases and strips accents
   * @param maxSeqLength tokens per example; 0 for the task's
   * @param engine {@code tinybert.engine}, resolved on each executor
   */
  public record Spec(Path model, TaskDefinition task, List<String> labelOrder, boolean cased, int maxSeqLength,
      ClassifierHead head, int batchSize, EngineChoice engine) implements Serializable {
    public Spec {
      labelOrder = List.copyOf(labelOrder);
    }

    /** On the {@code auto} engine. */
    public Spec(Path model, TaskDefinition task, List<String> labelOrder, boolean cased, int maxSeqLength,
        ClassifierHead head, int batchSize) {
      this(model, task, labelOrder, cased, maxSeqLength, head, batchSize, EngineChoice.AUTO);
    }

    /** The label order as {@link GlueLabels}; null for the regression task. */
    public GlueLabels labels() {
      return task.outputMode() == OutputMode.REGRESSION ? null : GlueLabels.of(task, labelOrder);
    }

    /** The sequence length examples are padded to. */
    public int effectiveMaxSeqLength() {
      return maxSeqLength == 0 ? task.maxSeqLength() : maxSeqLength;
    }
  }

  /**
   * Predictions for {@code examples}, one per example in the same order.
   *
   * @param partitions how many partitions to split the examples into; 0 for the context's default parallelism
   */
  public static List<GluePrediction> predict(JavaSparkContext sc, Spec spec, List<GlueExample> examples,
      int partitions) {
    if (examples.isEmpty()) return List.of();
    int n = partitions > 0 ? partitions : sc.defaultParallelism();
    n = Math.max(1, Math.min(n, examples.size()));
    SerializableConfiguration conf = new SerializableConfiguration(sc.hadoopConfiguration());
    // parallelize and collect keep the order: partition i holds a contiguous slice and comes back i-th.
    return sc.parallelize(examples, n).mapPartitions(new PartitionPredictor(spec, conf)).collect();
  }

  /** One partition's predictions, on an executor. */
  static final class PartitionPredictor implements FlatMapFunction<Iterator<GlueExample>, GluePrediction> {
    private static final long serialVersionUID = 1L;
    private final Spec spec;
    private final SerializableConfiguration conf;

    PartitionPredictor(Spec spec, SerializableConfiguration conf) {
      this.spec = spec;
      this.conf = conf;
    }

    @Override
    public Iterator<GluePrediction> call(Iterator<GlueExample> examples) {
      if (!examples.hasNext()) return Collections.emptyIterator();
      ScoringModel m = ScoringModel.open(spec.model(), conf.value(), spec.engine(), !spec.cased());
      // The model as loaded, not its frozen view: evaluate and predict keep the numbers they have always given.
      BertModel model = m.model();
      GlueFeatures features = new GlueFeatures(spec.task(), spec.labels(), m.tokenizer(), spec.maxSeqLength());
      GlueEvaluator evaluator = new GlueEvaluator(features, spec.head(), spec.batchSize());
      evaluator.checkModel(model, m.dir());
      return evaluator.predictExamples(model, examples);
    }
  }
}
