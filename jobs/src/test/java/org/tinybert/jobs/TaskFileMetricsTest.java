package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.jobs.cli.ExitCodes;

/**
 * {@code tinybert metrics --task FILE}: a task file's metrics, labels and id column, on six dev rows whose metrics are
 * worked out by hand below (the regression case on four).
 */
class TaskFileMetricsTest {
  @TempDir static Path dir;
  static Path reviews;
  static Path scores;

  @BeforeAll
  static void tables() throws Exception {
    // No labels listed: the training set's, sorted, are [neg, pos]; label id 1 is pos.
    Files.writeString(dir.resolve("train.csv"), "id,text,label\nt1,good,pos\nt2,bad,neg\n");
    Files.writeString(dir.resolve("dev.csv"), "id,text,label\nr1,a,pos\nr2,b,pos\nr3,c,neg\nr4,d,neg\nr5,e,pos\n"
        + "r6,f,neg\n");
    reviews = dir.resolve("reviews.conf");
    Files.writeString(reviews, "train = train.csv\ndev = dev.csv\ntext = text\nlabel = label\nid = id\n"
        + "kind = classification\nmetrics = [accuracy, f1, mcc]\npositive-label = pos\n");
    Files.writeString(dir.resolve("scores.jsonl"), "{\"s\": \"a\", \"y\": 1}\n{\"s\": \"b\", \"y\": 2}\n"
        + "{\"s\": \"c\", \"y\": 3}\n{\"s\": \"d\", \"y\": 4.0}\n");
    scores = dir.resolve("scores.conf");
    Files.writeString(scores, "dev = scores.jsonl\ntext = s\nlabel = y\nkind = regression\n");
  }

  static Map<String, Double> metrics(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("metrics"));
    all.addAll(List.of(args));
    GlueCli.Run r = GlueCli.tinybert(all);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    Map<String, Double> m = new LinkedHashMap<>();
    o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
    return m;
  }

  static Path file(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /**
   * Gold pos pos neg neg pos neg, predicted pos neg neg pos pos neg: TP 2, FN 1, FP 1, TN 2. Accuracy 4/6; precision
   * and recall of pos 2/3, so F1 2/3; MCC (2*2 - 1*1) / sqrt(3*3*3*3) = 1/3.
   */
  static final Map<String, Double> BY_HAND = Map.of("accuracy", 4.0 / 6, "f1", 2.0 / 3, "mcc", 1.0 / 3);

  static void assertByHand(Map<String, Double> got) {
    assertEquals(List.of("accuracy", "f1", "mcc"), new ArrayList<>(got.keySet()), "the task file's metrics, in order");
    for (String k : BY_HAND.keySet()) assertEquals(BY_HAND.get(k), got.get(k), 1e-12, k);
  }

  @Test
  void labelNamesInRowOrderAgainstTheTaskFilesDevTable() throws Exception {
    Path p = file("plain.txt", "pos\nneg\nneg\npos\npos\nneg\n");
    assertByHand(metrics("--task", reviews.toString(), "--predictions", p.toString()));
  }

  @Test
  void predictsOutputMatchedByTheIdColumn() throws Exception {
    // As predict writes it: a header naming the id column, rows in any order.
    Path p = file("by-id.tsv", "id\tprediction\nr6\tneg\nr1\tpos\nr4\tpos\nr2\tneg\nr5\tpos\nr3\tneg\n");
    assertByHand(metrics("--task", reviews.toString(), "--predictions", p.toString(),
        "--gold", dir.resolve("dev.csv").toString()));
  }

  @Test
  void labelIdsInTheTrainingSetsSortedOrderOrInAGivenOne() throws Exception {
    Path ids = file("ids.txt", "1\n0\n0\n1\n1\n0\n");
    assertByHand(metrics("--task", reviews.toString(), "--predictions", ids.toString()));
    Path swapped = file("swapped.txt", "0\n1\n1\n0\n0\n1\n");
    assertByHand(metrics("--task", reviews.toString(), "--predictions", swapped.toString(),
        "--label-order", "[pos, neg]"));
  }

  @Test
  void regression() throws Exception {
    // Gold 1 2 3 4, predicted 1 3 2 4: deviations (-1.5 -0.5 0.5 1.5) and (-1.5 0.5 -0.5 1.5), so Pearson
    // (2.25 - 0.25 - 0.25 + 2.25) / 5 = 0.8; the ranks are the values, so Spearman is 0.8 too.
    Path p = file("scores.txt", "1\n3\n2\n4\n");
    Map<String, Double> got = metrics("--task", scores.toString(), "--predictions", p.toString());
    assertEquals(List.of("pearson", "spearman"), new ArrayList<>(got.keySet()));
    assertEquals(0.8, got.get("pearson"), 1e-12);
    assertEquals(0.8, got.get("spearman"), 1e-12);
  }

  @Test
  void anUnknownLabelNamesFileAndLine() throws Exception {
    Path p = file("unknown.txt", "pos\nneg\nmaybe\npos\npos\nneg\n");
    GlueCli.Run r = GlueCli.tinybert(List.of("metrics", "--task", reviews.toString(), "--predictions",
        p.toString()));
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains(p + ":3: unknown label 'maybe' for REVIEWS, expected one of [neg, pos] or a label "
        + "id 0..1"), r.err());
  }

  @Test
  void aGoldRowOfAnotherLabelNamesFileAndLine() throws Exception {
    Path gold = file("other.csv", "id,text,label\nr1,a,pos\nr2,b,meh\n");
    Path p = file("two.txt", "pos\npos\n");
    GlueCli.Run r = GlueCli.tinybert(List.of("metrics", "--task", reviews.toString(), "--predictions",
        p.toString(), "--gold", gold.toString()));
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains(gold + ":3: label 'meh' is not one of the labels of the training set [neg, pos]"),
        r.err());
  }
}
