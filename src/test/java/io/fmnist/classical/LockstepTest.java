package io.fmnist.classical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LockstepTest {

  @Test
  void everyPartyGetsItsOwnAnswerAndEachRoundEvaluatesOnce() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    // Each answer is the point's sum, tagged with the round that computed it.
    Lockstep<double[]> lockstep = new Lockstep<>(3, points -> {
      int round = rounds.incrementAndGet();
      double[][] answers = new double[points.length][];
      for (int k = 0; k < points.length; k++) {
        answers[k] = new double[] {points[k][0] + points[k][1], round};
      }
      return answers;
    });
    int[] asks = {2, 5, 3};
    ExecutorService threads = Executors.newFixedThreadPool(3);
    List<Future<List<double[]>>> results = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      int party = k;
      results.add(threads.submit(() -> {
        List<double[]> answers = new ArrayList<>();
        for (int i = 0; i < asks[party]; i++) {
          answers.add(lockstep.ask(party, new double[] {party * 100, i}));
        }
        lockstep.leave(party);
        return answers;
      }));
    }
    for (int k = 0; k < 3; k++) {
      List<double[]> answers = results.get(k).get(30, TimeUnit.SECONDS);
      assertEquals(asks[k], answers.size());
      for (int i = 0; i < asks[k]; i++) {
        assertEquals(k * 100 + i, answers.get(i)[0], "party " + k + ", ask " + i);
        assertEquals(i + 1, answers.get(i)[1], "the i-th ask of every party is answered in round i + 1");
      }
    }
    // The longest party's asks, no more: the others left instead of holding it up.
    assertEquals(5, rounds.get());
    threads.shutdown();
  }

  @Test
  void aFailedEvaluationReachesEveryWaitingParty() throws Exception {
    IllegalStateException failure = new IllegalStateException("the Spark job failed");
    Lockstep<double[]> lockstep = new Lockstep<>(2, points -> {
      throw failure;
    });
    ExecutorService threads = Executors.newFixedThreadPool(2);
    List<Future<double[]>> results = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      int party = k;
      results.add(threads.submit(() -> lockstep.ask(party, new double[] {party})));
    }
    for (Future<double[]> result : results) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> result.get(30, TimeUnit.SECONDS));
      assertSame(failure, assertInstanceOf(IllegalStateException.class, e.getCause()));
    }
    threads.shutdown();
  }
}
