package org.tinybert.glue;

import org.tinybert.io.InputException;
import static org.tinybert.glue.OutputMode.CLASSIFICATION;
import static org.tinybert.glue.OutputMode.REGRESSION;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.settings.Choice;

/**
 * The GLUE tasks TinyBERT distils, with the facts its {@code task_distill.py} keeps per task: files and column layouts,
 * the label list (its order fixes the label ids, as in TinyBERT's and Hugging Face's processors), classification or
 * regression, the metrics its {@code compute_metrics} reports and the one it keeps the best checkpoint by, and the
 * max sequence length it distils with.
 *
 * <p>{@code mnli-mm} is MNLI evaluated on the mismatched dev/test sets (same training set); {@code ax} is GLUE's
 * diagnostic set, predicted with an MNLI model and scored by Matthews correlation.
 *
 * <p>The presets of {@link TaskDefinition}: {@code --task sst-2} and a task file are consulted through the same
 * interface; only reading a split ({@link TaskData}) knows that a preset's files are GLUE's.
 */
public enum GlueTask implements TaskDefinition, Choice {
  COLA("cola", "CoLA", "CoLA.tsv", CLASSIFICATION, List.of("0", "1"), List.of("mcc"), "mcc", 64, false,
      PublishedLayouts.standard(PublishedLayouts.COLA, PublishedLayouts.COLA_TEST)),
  SST_2("sst-2", "SST-2", "SST-2.tsv", CLASSIFICATION, List.of("0", "1"), List.of("acc"), "acc", 64, false,
      PublishedLayouts.standard(PublishedLayouts.SST2, PublishedLayouts.SST2_TEST)),
  MRPC("mrpc", "MRPC", "MRPC.tsv", CLASSIFICATION, List.of("0", "1"), List.of("acc", "f1", "acc_and_f1"), "acc", 128,
      false, PublishedLayouts.standard(PublishedLayouts.MRPC, PublishedLayouts.MRPC_TEST)),
  STS_B("sts-b", "STS-B", "STS-B.tsv", REGRESSION, List.of(), List.of("pearson", "spearmanr", "corr"), "corr", 128,
      false, PublishedLayouts.standard(PublishedLayouts.STSB, PublishedLayouts.STSB_TEST)),
  // QQP's published train and dev files contain rows broken by stray newlines; TinyBERT's processor skips them.
  QQP("qqp", "QQP", "QQP.tsv", CLASSIFICATION, List.of("0", "1"), List.of("acc", "f1", "acc_and_f1"), "acc", 128,
      true, PublishedLayouts.standard(PublishedLayouts.QQP, PublishedLayouts.QQP_TEST)),
  MNLI("mnli", "MNLI", "MNLI-m.tsv", CLASSIFICATION, List.of("contradiction", "entailment", "neutral"),
      List.of("acc"), "acc", 128, false,
      PublishedLayouts.splits(PublishedLayouts.MNLI_TRAIN, "dev_matched.tsv", PublishedLayouts.MNLI_DEV,
          "test_matched.tsv", PublishedLayouts.MNLI_TEST)),
  MNLI_MM("mnli-mm", "MNLI", "MNLI-mm.tsv", CLASSIFICATION, List.of("contradiction", "entailment", "neutral"),
      List.of("acc"), "acc", 128, false,
      PublishedLayouts.splits(PublishedLayouts.MNLI_TRAIN, "dev_mismatched.tsv", PublishedLayouts.MNLI_DEV,
          "test_mismatched.tsv", PublishedLayouts.MNLI_TEST)),
  QNLI("qnli", "QNLI", "QNLI.tsv", CLASSIFICATION, List.of("entailment", "not_entailment"), List.of("acc"), "acc",
      128, false, PublishedLayouts.standard(PublishedLayouts.QNLI, PublishedLayouts.QNLI_TEST)),
  RTE("rte", "RTE", "RTE.tsv", CLASSIFICATION, List.of("entailment", "not_entailment"), List.of("acc"), "acc", 128,
      false, PublishedLayouts.standard(PublishedLayouts.SENTENCE_PAIR, PublishedLayouts.SENTENCE_PAIR_TEST)),
  WNLI("wnli", "WNLI", "WNLI.tsv", CLASSIFICATION, List.of("0", "1"), List.of("acc"), "acc", 128, false,
      PublishedLayouts.standard(PublishedLayouts.SENTENCE_PAIR, PublishedLayouts.SENTENCE_PAIR_TEST)),
  AX("ax", "diagnostic", "AX.tsv", CLASSIFICATION, List.of("contradiction", "entailment", "neutral"), List.of("mcc"),
      "mcc", 128, false, PublishedLayouts.diagnostic());

  /**
   * One split of a task: the file names it goes by (the first is the published one; later ones are other names the
   * same file is known by) and its column layout.
   */
  public record SplitSpec(List<String> fileNames, ColumnLayout layout) implements Serializable {
    public SplitSpec {
      fileNames = List.copyOf(fileNames);
      if (fileNames.isEmpty()) throw new IllegalArgumentException("a split needs at least one file name");
    }
  }

  private final String taskName;
  private final String dirName;
  private final String submissionFileName;
  private final OutputMode outputMode;
  private final List<String> labels;
  private final List<String> metricNames;
  private final String primaryMetric;
  private final int maxSeqLength;
  private final boolean skipsMalformedByDefault;
  private final Map<Split, SplitSpec> splits;

  GlueTask(String taskName, String dirName, String submissionFileName, OutputMode outputMode, List<String> labels,
      List<String> metricNames, String primaryMetric, int maxSeqLength, boolean skipsMalformedByDefault,
      Map<Split, SplitSpec> splits) {
    this.taskName = taskName;
    this.dirName = dirName;
    this.submissionFileName = submissionFileName;
    this.outputMode = outputMode;
    this.labels = labels;
    this.metricNames = metricNames;
    this.primaryMetric = primaryMetric;
    this.maxSeqLength = maxSeqLength;
    this.skipsMalformedByDefault = skipsMalformedByDefault;
    this.splits = Collections.unmodifiableMap(splits);
  }

  /** The task by its command-line name ({@code cola}, {@code sst-2}, ..., {@code ax}), in any case. */
  public static GlueTask byName(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (GlueTask t : values()) {
        if (t.taskName.equals(wanted)) return t;
      }
    }
    throw new InputException("unknown GLUE task '" + name + "'; valid names: " + names());
  }

  /** The command-line names of all tasks, comma-separated. */
  public static String names() {
    return Arrays.stream(values()).map(GlueTask::taskName).collect(Collectors.joining(", "));
  }

  /** The name used on the command line and in TinyBERT ({@code sst-2}, {@code mnli-mm}). */
  @Override
  public String taskName() {
    return taskName;
  }

  /** As a setting, a preset is spelled by its {@link #taskName()}. */
  @Override
  public String key() {
    return taskName;
  }

  /** The task's directory in the GLUE distribution ({@code SST-2}; {@code MNLI} for mnli-mm; {@code diagnostic}). */
  public String dirName() {
    return dirName;
  }

  /** The name of this task's file in a GLUE server submission ({@code MNLI-m.tsv}, {@code AX.tsv}). */
  public String submissionFileName() {
    return submissionFileName;
  }

  @Override
  public OutputMode outputMode() {
    return outputMode;
  }

  /** Label names in TinyBERT's order (index = label id); empty for the regression task STS-B. */
  @Override
  public List<String> labels() {
    return labels;
  }

  /** Outputs of the classifier head: the number of labels, or 1 for regression (Hugging Face's num_labels). */
  @Override
  public int numLabels() {
    return outputMode == REGRESSION ? 1 : labels.size();
  }

  /** The keys TinyBERT's {@code compute_metrics} returns for this task, in its order. */
  @Override
  public List<String> metricNames() {
    return metricNames;
  }

  /** The metric TinyBERT's {@code task_distill.py} keeps the best checkpoint by (acc, corr or mcc). */
  @Override
  public String primaryMetric() {
    return primaryMetric;
  }

  /** TinyBERT's max_seq_length for the task: 64 for the single-sentence tasks CoLA and SST-2, else 128. */
  @Override
  public int maxSeqLength() {
    return maxSeqLength;
  }

  /** Whether the reader skips (and counts) malformed rows unless told otherwise: true only for QQP. */
  @Override
  public boolean skipsMalformedByDefault() {
    return skipsMalformedByDefault;
  }

  /** Whether rows have a second sentence. */
  @Override
  public boolean isPairTask() {
    return splits.values().iterator().next().layout().textB() != ColumnLayout.NONE;
  }

  /** "1" where the task reports F1 (MRPC, QQP: the label "1" is the positive class, as TinyBERT's f1_score). */
  @Override
  public String positiveLabel() {
    return metricNames.contains("f1") ? "1" : null;
  }

  /** The GLUE server's file name ({@link #submissionFileName()}). */
  @Override
  public String predictionFileName() {
    return submissionFileName;
  }

  /** The splits this task has (no train for ax). */
  public Set<Split> splits() {
    return splits.keySet();
  }

  public boolean has(Split split) {
    return splits.containsKey(split);
  }

  public SplitSpec spec(Split split) {
    SplitSpec s = splits.get(split);
    if (s == null) {
      throw new InputException("GLUE task " + taskName + " has no " + split.name().toLowerCase(Locale.ROOT)
          + " split; it has " + splits.keySet().stream().map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
    }
    return s;
  }

  public ColumnLayout layout(Split split) {
    return spec(split).layout();
  }

  /** The published file name of a split ({@code dev_mismatched.tsv} for mnli-mm's dev). */
  public String fileName(Split split) {
    return spec(split).fileNames().get(0);
  }

  /** This task's directory under a GLUE data directory ({@code glue_data/MNLI}). */
  public Path taskDir(Path glueDir) {
    return new Path(glueDir, dirName);
  }

  /**
   * The file of {@code split} in the task directory {@code taskDir}: the first of its known names that exists.
   *
   * @throws IllegalArgumentException naming every path tried when none exists
   */
  public Path locate(Path taskDir, Split split, Configuration conf) {
    List<String> tried = new ArrayList<>();
    for (String name : spec(split).fileNames()) {
      Path p = new Path(taskDir, name);
      if (HadoopIO.exists(p, conf)) return p;
      tried.add(p.toString());
    }
    throw new InputException("no " + split.name().toLowerCase(Locale.ROOT) + " file of GLUE task "
        + taskName + " found; tried " + String.join(", ", tried));
  }

  @Override
  public String toString() {
    return taskName;
  }
}
