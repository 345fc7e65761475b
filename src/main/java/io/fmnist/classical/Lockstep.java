package io.fmnist.classical;

import java.util.function.Function;

/**
 * Lets several optimisers, one per thread, share each evaluation of their objectives: every
 * thread asks for the value at its own point and waits, and when all those still running have
 * asked, the last to ask runs {@code evaluate} once over all the points and every thread gets its
 * own answer. Each optimiser takes exactly the steps it would take alone; they only wait for each
 * other. A thread that is done leaves, so the others stop waiting for it (its last point stays in
 * the batch, unread). A failure of {@code evaluate} reaches every waiting thread.
 */
final class Lockstep<R> {

  private final Function<double[][], R[]> evaluate;
  private final double[][] points;
  private int running;
  private int asked;
  private long round;
  private R[] answers;
  private RuntimeException failure;

  Lockstep(int parties, Function<double[][], R[]> evaluate) {
    this.evaluate = evaluate;
    this.points = new double[parties][];
    this.running = parties;
  }

  /** Party {@code k}'s answer at {@code point}, once every running party has asked for one. */
  synchronized R ask(int k, double[] point) {
    points[k] = point;
    asked++;
    long mine = round;
    if (asked == running) {
      evaluateAll();
    }
    while (round == mine && failure == null) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the other optimisers", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return answers[k];
  }

  /** Party {@code k} asks no more. */
  synchronized void leave(int k) {
    running--;
    if (running > 0 && asked == running) {
      evaluateAll();
    }
  }

  private void evaluateAll() {
    try {
      answers = evaluate.apply(points);
    } catch (RuntimeException e) {
      failure = e;
    }
    asked = 0;
    round++;
    notifyAll();
  }
}
