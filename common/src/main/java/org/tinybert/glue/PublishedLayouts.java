package org.tinybert.glue;

import static org.tinybert.glue.ColumnLayout.LAST;
import static org.tinybert.glue.ColumnLayout.NONE;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The column layouts of the GLUE files as distributed (GLUE's zips, {@code download_glue_data.py}'s MRPC and
 * diagnostic files), i.e. what TinyBERT's and Hugging Face's GLUE processors index into.
 */
final class PublishedLayouts {
  private PublishedLayouts() {}

  // CoLA's train and dev files have no header; the names are those of CoLA's README.
  static final ColumnLayout COLA =
      new ColumnLayout(List.of("source", "label", "original_label", "sentence"), false, 3, NONE, 1, NONE);
  static final ColumnLayout COLA_TEST = new ColumnLayout(List.of("index", "sentence"), true, 1, NONE, NONE, 0);

  static final ColumnLayout SST2 = new ColumnLayout(List.of("sentence", "label"), true, 0, NONE, 1, NONE);
  static final ColumnLayout SST2_TEST = new ColumnLayout(List.of("index", "sentence"), true, 1, NONE, NONE, 0);

  // MRPC's train and dev have no index column: the first column is the label ("Quality").
  static final ColumnLayout MRPC =
      new ColumnLayout(List.of("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"), true, 3, 4, 0, NONE);
  static final ColumnLayout MRPC_TEST =
      new ColumnLayout(List.of("index", "#1 ID", "#2 ID", "#1 String", "#2 String"), true, 3, 4, NONE, 0);

  private static final List<String> STSB_COLUMNS = List.of(
      "index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2");
  static final ColumnLayout STSB = new ColumnLayout(append(STSB_COLUMNS, "score"), true, 7, 8, LAST, 0);
  static final ColumnLayout STSB_TEST = new ColumnLayout(STSB_COLUMNS, true, 7, 8, NONE, 0);

  static final ColumnLayout QQP = new ColumnLayout(
      List.of("id", "qid1", "qid2", "question1", "question2", "is_duplicate"), true, 3, 4, 5, 0);
  static final ColumnLayout QQP_TEST = new ColumnLayout(List.of("id", "question1", "question2"), true, 1, 2, NONE, 0);

  private static final List<String> MNLI_COLUMNS = List.of(
      "index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
      "sentence1_parse", "sentence2_parse", "sentence1", "sentence2");
  // train has one annotator label, dev five; the gold label is the last column of both.
  static final ColumnLayout MNLI_TRAIN =
      new ColumnLayout(append(MNLI_COLUMNS, "label1", "gold_label"), true, 8, 9, LAST, 0);
  static final ColumnLayout MNLI_DEV = new ColumnLayout(
      append(MNLI_COLUMNS, "label1", "label2", "label3", "label4", "label5", "gold_label"), true, 8, 9, LAST, 0);
  static final ColumnLayout MNLI_TEST = new ColumnLayout(MNLI_COLUMNS, true, 8, 9, NONE, 0);

  static final ColumnLayout QNLI =
      new ColumnLayout(List.of("index", "question", "sentence", "label"), true, 1, 2, LAST, 0);
  static final ColumnLayout QNLI_TEST = new ColumnLayout(List.of("index", "question", "sentence"), true, 1, 2, NONE, 0);

  // RTE and WNLI share it; the diagnostic AX.tsv is its unlabelled form.
  static final ColumnLayout SENTENCE_PAIR =
      new ColumnLayout(List.of("index", "sentence1", "sentence2", "label"), true, 1, 2, LAST, 0);
  static final ColumnLayout SENTENCE_PAIR_TEST =
      new ColumnLayout(List.of("index", "sentence1", "sentence2"), true, 1, 2, NONE, 0);

  // The labelled diagnostic (diagnostic-full.tsv): category columns, then premise, hypothesis and an MNLI label.
  static final ColumnLayout DIAGNOSTIC_FULL = new ColumnLayout(
      List.of("Lexical Semantics", "Predicate-Argument Structure", "Logic", "Knowledge", "Domain", "Premise",
          "Hypothesis", "Label"), true, 5, 6, 7, NONE);

  /** train.tsv, dev.tsv, test.tsv and TinyBERT's train_aug.tsv (written in the train layout). */
  static Map<Split, GlueTask.SplitSpec> standard(ColumnLayout labelled, ColumnLayout test) {
    return splits(labelled, "dev.tsv", labelled, "test.tsv", test);
  }

  static Map<Split, GlueTask.SplitSpec> splits(
      ColumnLayout train, String devFile, ColumnLayout dev, String testFile, ColumnLayout test) {
    Map<Split, GlueTask.SplitSpec> m = new EnumMap<>(Split.class);
    m.put(Split.TRAIN, new GlueTask.SplitSpec(List.of("train.tsv"), train));
    m.put(Split.DEV, new GlueTask.SplitSpec(List.of(devFile), dev));
    m.put(Split.TEST, new GlueTask.SplitSpec(List.of(testFile), test));
    m.put(Split.TRAIN_AUG, new GlueTask.SplitSpec(List.of("train_aug.tsv"), train));
    return m;
  }

  /**
   * The diagnostic set: test only in GLUE ({@code AX.tsv} in GLUE's zip, {@code diagnostic.tsv} as
   * {@code download_glue_data.py} saves it); the labelled {@code diagnostic-full.tsv} serves as its dev split so
   * predictions can be scored.
   */
  static Map<Split, GlueTask.SplitSpec> diagnostic() {
    Map<Split, GlueTask.SplitSpec> m = new EnumMap<>(Split.class);
    m.put(Split.DEV, new GlueTask.SplitSpec(List.of("diagnostic-full.tsv"), DIAGNOSTIC_FULL));
    m.put(Split.TEST, new GlueTask.SplitSpec(List.of("AX.tsv", "diagnostic.tsv"), SENTENCE_PAIR_TEST));
    return m;
  }

  private static List<String> append(List<String> head, String... tail) {
    return Stream.concat(head.stream(), Arrays.stream(tail)).toList();
  }
}
