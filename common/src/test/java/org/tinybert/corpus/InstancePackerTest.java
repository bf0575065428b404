package org.tinybert.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InstancePackerTest {
  private static final int CLS = 101;
  private static final int SEP = 102;

  /** Sentence i holds tokens 1000 * (i + 1) + j, so every token says which sentence it came from. */
  private static List<int[]> document(int... lengths) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      int base = 1000 * (i + 1);
      out.add(IntStream.range(0, lengths[i]).map(j -> base + j).toArray());
    }
    return out;
  }

  private static int[] concat(List<int[]> sentences, int from, int to) {
    return sentences.subList(from, to).stream().flatMapToInt(Arrays::stream).toArray();
  }

  @Test
  void fullTargetWithoutShortSequences() {
    InstancePacker p = new InstancePacker(CLS, SEP, 12, 0.0, 7);
    for (long h = 0; h < 200; h++) assertEquals(10, p.targetLength(h));
  }

  @Test
  void shortTargetsCoverTwoToMax() {
    InstancePacker p = new InstancePacker(CLS, SEP, 10, 1.0, 7);
    Set<Integer> seen = new HashSet<>();
    for (long h = 0; h < 2000; h++) {
      int t = p.targetLength(StableHash.mix64(h));
      assertTrue(t >= 2 && t <= 8, "target " + t + " outside [2, 8]");
      seen.add(t);
    }
    assertEquals(Set.of(2, 3, 4, 5, 6, 7, 8), seen);
  }

  @Test
  void shortTargetsAtTheirProbability() {
    InstancePacker p = new InstancePacker(CLS, SEP, 130, 0.1, 3);
    int n = 20000;
    long shorter = IntStream.range(0, n).filter(i -> p.targetLength(StableHash.mix64(i)) < 128).count();
    // A short draw is uniform in [2, 128], so it is shorter than 128 with probability 126/127.
    double expected = 0.1 * 126 / 127;
    assertEquals(expected, shorter / (double) n, 4 * Math.sqrt(expected * (1 - expected) / n));
  }

  @Test
  void accumulatesWholeSentencesUntilTheTargetAndCutsTheOvershoot() {
    InstancePacker p = new InstancePacker(CLS, SEP, 12, 0.0, 1);
    List<int[]> doc = document(3, 4, 5, 2, 6, 1);
    List<PackedInstance> got = p.pack(doc, 42);
    assertEquals(2, got.size());
    // 3 + 4 < 10, 3 + 4 + 5 >= 10: three sentences, cut to 10 tokens.
    assertArrayEquals(withSpecials(Arrays.copyOf(concat(doc, 0, 3), 10)), got.get(0).inputIds());
    // 2 + 6 + 1 < 10 but the document ends.
    assertArrayEquals(withSpecials(concat(doc, 3, 6)), got.get(1).inputIds());
  }

  @Test
  void truncatesASentenceLongerThanMaxSeqLength() {
    InstancePacker p = new InstancePacker(CLS, SEP, 8, 0.0, 1);
    List<int[]> doc = document(20, 3);
    List<PackedInstance> got = p.pack(doc, 5);
    assertEquals(2, got.size());
    assertArrayEquals(withSpecials(Arrays.copyOf(doc.get(0), 6)), got.get(0).inputIds());
    assertArrayEquals(withSpecials(doc.get(1)), got.get(1).inputIds());
  }

  @Test
  void documentWithoutTokensGivesNoInstance() {
    InstancePacker p = new InstancePacker(CLS, SEP, 8, 0.0, 1);
    assertEquals(List.of(), p.pack(document(0, 0), 1));
    assertEquals(1, p.pack(document(0, 2, 0), 1).size());
  }

  /** The packing rule, checked on random documents against the sentence each token names. */
  @ParameterizedTest
  @CsvSource({"16, 0.0", "16, 0.5", "16, 1.0", "6, 0.3", "64, 0.1"})
  void everyInstanceIsARunOfWholeSentencesReachingTheTarget(int maxSeqLength, double shortSeqProb) {
    InstancePacker p = new InstancePacker(CLS, SEP, maxSeqLength, shortSeqProb, 11);
    Random r = new Random(maxSeqLength);
    for (int d = 0; d < 300; d++) {
      int[] lengths = IntStream.range(0, 1 + r.nextInt(12)).map(i -> 1 + r.nextInt(maxSeqLength)).toArray();
      List<int[]> doc = document(lengths);
      long hash = r.nextLong();
      int target = p.targetLength(hash);
      int next = 0;
      for (PackedInstance inst : p.pack(doc, hash)) {
        int[] ids = inst.inputIds();
        assertTrue(ids.length <= maxSeqLength, "length " + ids.length);
        assertEquals(CLS, ids[0]);
        assertEquals(SEP, ids[ids.length - 1]);
        int first = ids[1] / 1000 - 1;
        int last = ids[ids.length - 2] / 1000 - 1;
        assertEquals(next, first, "instances must follow each other without a gap");
        assertEquals(0, ids[1] % 1000, "an instance starts with a whole sentence");
        int runLength = 0;
        int end = last;
        // The run ends at the first sentence that brings it to the target (or at the document's end).
        for (int s = first; s < doc.size(); s++) {
          runLength += lengths[s];
          end = s;
          if (runLength >= target) break;
        }
        assertTrue(end >= last);
        int[] run = concat(doc, first, end + 1);
        assertArrayEquals(withSpecials(Arrays.copyOf(run, Math.min(run.length, maxSeqLength - 2))), ids);
        next = end + 1;
      }
      assertEquals(doc.size(), next, "every sentence belongs to an instance");
    }
  }

  @Test
  void reproducibleAndIndependentOfDocumentOrder() {
    InstancePacker p = new InstancePacker(CLS, SEP, 16, 0.5, 3);
    Random r = new Random(1);
    List<List<int[]>> docs = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    for (int d = 0; d < 50; d++) {
      docs.add(document(IntStream.range(0, 1 + r.nextInt(8)).map(i -> 1 + r.nextInt(10)).toArray()));
      hashes.add(r.nextLong());
    }
    Map<Long, List<PackedInstance>> inOrder = new HashMap<>();
    for (int d = 0; d < docs.size(); d++) inOrder.put(hashes.get(d), p.pack(docs.get(d), hashes.get(d)));
    List<Integer> order = new ArrayList<>(IntStream.range(0, docs.size()).boxed().toList());
    Collections.shuffle(order, new Random(9));
    InstancePacker again = new InstancePacker(CLS, SEP, 16, 0.5, 3);
    Set<Long> ids = new HashSet<>();
    for (int d : order) {
      List<PackedInstance> got = again.pack(docs.get(d), hashes.get(d));
      assertEquals(inOrder.get(hashes.get(d)), got);
      for (PackedInstance i : got) assertTrue(ids.add(i.id()), "instance ids must be unique");
    }
  }

  @Test
  void seedChangesTheTargets() {
    InstancePacker a = new InstancePacker(CLS, SEP, 64, 0.5, 1);
    InstancePacker b = new InstancePacker(CLS, SEP, 64, 0.5, 2);
    int[] ta = IntStream.range(0, 50).map(h -> a.targetLength(h)).toArray();
    int[] tb = IntStream.range(0, 50).map(h -> b.targetLength(h)).toArray();
    assertNotEquals(Arrays.toString(ta), Arrays.toString(tb));
  }

  @ParameterizedTest
  @CsvSource({"3, 0.1, max_seq_length", "128, -0.1, short_seq_prob", "128, 1.5, short_seq_prob"})
  void rejectsBadSettings(int maxSeqLength, double shortSeqProb, String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new InstancePacker(CLS, SEP, maxSeqLength, shortSeqProb, 1));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  private static int[] withSpecials(int[] tokens) {
    int[] out = new int[tokens.length + 2];
    out[0] = CLS;
    System.arraycopy(tokens, 0, out, 1, tokens.length);
    out[out.length - 1] = SEP;
    return out;
  }
}
