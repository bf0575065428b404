package org.tinybert.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An epoch's rounds: whole rounds, then one short round for what is left, every minibatch once. */
class PlanTest {
  static ParameterAveragingTrainer.Plan plan(int workers, int frequency) {
    return new ParameterAveragingTrainer.Plan(workers, 8, frequency, 3, 1, 42);
  }

  @ParameterizedTest
  @CsvSource({
      // workers, frequency, minibatches, done, rounds (worker counts by "/", rounds by " "), steps per epoch
      "2, 1, 12, 0, '1/1 1/1 1/1 1/1 1/1 1/1', 6",
      "2, 1, 13, 0, '1/1 1/1 1/1 1/1 1/1 1/1 1', 7",
      "2, 8, 18, 0, '8/8 1/1', 9",
      "2, 8, 19, 0, '8/8 2/1', 10",
      "2, 8, 19, 16, '2/1', 10",
      "3, 2, 5, 0, '2/2/1', 2",
      "4, 1, 3, 0, '1/1/1', 1",
      "1, 4, 6, 0, '4 2', 6"})
  void roundsCoverEveryMinibatchOnce(int workers, int frequency, long batches, long done, String rounds,
      long stepsPerEpoch) {
    ParameterAveragingTrainer.Plan p = plan(workers, frequency);
    List<int[]> got = p.rounds(batches, done);
    String[] expected = rounds.split(" ");
    assertEquals(expected.length, got.size(), "rounds");
    long total = done;
    for (int r = 0; r < expected.length; r++) {
      int[] counts = java.util.Arrays.stream(expected[r].split("/")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(counts, got.get(r), "round " + r);
      for (int c : got.get(r)) total += c;
    }
    assertEquals(batches, total, "every minibatch of the epoch, once");
    assertEquals(stepsPerEpoch * 3, p.totalSteps(batches), "the schedule's steps over 3 epochs");
  }
}
