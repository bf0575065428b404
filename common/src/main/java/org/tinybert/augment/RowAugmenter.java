package org.tinybert.augment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Augments whole rows of a GLUE training file (the reference's {@code AugmentProcessor}): each row is written as it
 * was, then, for each text column in turn, one row per variant of that column with every other column as in the
 * original row.
 *
 * <p>This differs from {@code data_augmentation.py} for pair tasks: the reference reuses one row object, so when it
 * augments the second sentence the first one holds the first sentence's last variant, and it writes that mixed row
 * again as the second sentence's "original". Here the other sentence is always the original one and the original row
 * is written once.
 *
 * <p>Deterministic: a text's variants are drawn from a generator seeded by (seed, line, column) alone, so they do not
 * depend on which partition or batch the row lands in.
 */
public final class RowAugmenter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One data row of the input: its 1-based line in the file and its text. */
  public record Row(long line, String text) {}

  /**
   * One row of the output and what was done to make it.
   *
   * @param tsv the row, tab-separated
   * @param sourceLine the input line it came from
   * @param column the 0-based column that was augmented, or -1 for the original row
   * @param variant 0 for the original row, else the variant's 1-based number among its column's variants
   * @param replacements the words replaced, empty for the original row (and for a variant that only re-spaces tokens)
   */
  public record OutputRow(String tsv, long sourceLine, int column, int variant,
      List<Replacer.Replacement> replacements) {
    /** The side-file record: a JSON object on one line. */
    public String sideJson() {
      return RowAugmenter.sideJson(sourceLine, column, variant, replacements);
    }
  }

  /** One data row given by its cells (a table read by column name): its 1-based number and its cells. */
  public record CellsRow(long line, String[] cells) implements Serializable {}

  /**
   * One row of the output made from a {@link CellsRow}: its cells, and what was done to make it (as
   * {@link OutputRow}'s).
   */
  public record OutputCells(String[] cells, long sourceLine, int column, int variant,
      List<Replacer.Replacement> replacements) {
    /** The side-file record: a JSON object on one line. */
    public String sideJson() {
      return RowAugmenter.sideJson(sourceLine, column, variant, replacements);
    }
  }

  private static String sideJson(long sourceLine, int column, int variant, List<Replacer.Replacement> replacements) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("line", sourceLine);
    o.put("column", column < 0 ? null : column);
    o.put("variant", variant);
    List<Map<String, Object>> rs = new ArrayList<>(replacements.size());
    for (Replacer.Replacement r : replacements) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("token", r.token());
      m.put("word", r.word());
      m.put("replacement", r.replacement());
      m.put("source", r.source().label());
      rs.add(m);
    }
    o.put("replaced", rs);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final Augmenter augmenter;
  private final Replacer replacer;
  private final int[] textColumns;
  private final long seed;

  /**
   * @param textColumns the 0-based columns to augment, in order (the task's sentence columns)
   * @param seed the run's seed
   */
  public RowAugmenter(Augmenter augmenter, Replacer replacer, int[] textColumns, long seed) {
    this.augmenter = augmenter;
    this.replacer = replacer;
    this.textColumns = textColumns.clone();
    this.seed = seed;
  }

  /**
   * The output rows of {@code rows}, in order. Each row must have every text column (the caller has checked the
   * layout). {@code batched} false takes the straightforward path (one forward pass per word), for comparison.
   */
  public List<OutputRow> augment(List<Row> rows, boolean batched) {
    List<CellsRow> cells = new ArrayList<>(rows.size());
    for (Row r : rows) cells.add(new CellsRow(r.line(), r.text().split("\t", -1)));
    List<OutputCells> made = augmentCells(cells, batched);
    List<OutputRow> out = new ArrayList<>(made.size());
    int i = -1;
    for (OutputCells o : made) {
      if (o.variant() == 0) i++;
      // The original row is written as it was read, byte for byte.
      String tsv = o.variant() == 0 ? rows.get(i).text() : String.join("\t", o.cells());
      out.add(new OutputRow(tsv, o.sourceLine(), o.column(), o.variant(), o.replacements()));
    }
    return out;
  }

  /**
   * As {@link #augment}, for rows given by their cells (the text columns are positions among them): each row's
   * cells as they were, then its variants, each with one text replaced.
   */
  public List<OutputCells> augmentCells(List<CellsRow> rows, boolean batched) {
    List<SentencePlan> plans = new ArrayList<>(rows.size() * textColumns.length);
    for (CellsRow r : rows) {
      String[] f = r.cells();
      for (int c : textColumns) {
        if (c >= f.length) {
          throw new IllegalArgumentException("line " + r.line() + ": no column " + (c + 1) + ", found " + f.length);
        }
        plans.add(augmenter.plan(f[c]));
      }
    }
    List<List<WordCandidates>> candidates = batched ? augmenter.candidates(plans)
        : augmenter.candidatesOneAtATime(plans);
    List<OutputCells> out = new ArrayList<>(rows.size() * (1 + textColumns.length * replacer.variants()));
    int p = 0;
    for (CellsRow r : rows) {
      String[] f = r.cells();
      out.add(new OutputCells(f, r.line(), -1, 0, List.of()));
      for (int c : textColumns) {
        SentencePlan plan = plans.get(p);
        List<Replacer.Variant> vs =
            replacer.variants(f[c], plan.tokens(), candidates.get(p), random(seed, r.line(), c));
        p++;
        int n = 0;
        for (Replacer.Variant v : vs) {
          String[] g = Arrays.copyOf(f, f.length);
          g[c] = v.text();
          out.add(new OutputCells(g, r.line(), c, ++n, v.replacements()));
        }
      }
    }
    return out;
  }

  /** The generator for one text: a function of (seed, line, column) only. */
  public static SplittableRandom random(long seed, long line, int column) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ line);
    h = mix(h ^ ((long) column << 32));
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser: spreads nearby inputs (consecutive lines) over unrelated states. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
