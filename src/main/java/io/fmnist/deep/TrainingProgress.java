package io.fmnist.deep;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of one epoch on the driver: DL4J's parameter averaging runs one Spark job per
 * averaging round, so finished jobs count rounds; a line with images/s and ETA at most every
 * {@code intervalSeconds}.
 */
final class TrainingProgress extends SparkListener {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);

  private final String label;
  private final int rounds;
  private final long images;
  private final double intervalSeconds;
  private final long start = System.nanoTime();
  private long lastLog = start;
  private int done;

  TrainingProgress(String label, int rounds, long images, double intervalSeconds) {
    this.label = label;
    this.rounds = Math.max(1, rounds);
    this.images = images;
    this.intervalSeconds = intervalSeconds;
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
    done = Math.min(rounds, done + 1);
    long now = System.nanoTime();
    if ((now - lastLog) / 1e9 < intervalSeconds) {
      return;
    }
    lastLog = now;
    double seconds = (now - start) / 1e9;
    double fraction = (double) done / rounds;
    double imagesPerSecond = images * fraction / seconds;
    LOG.info("{}: {}% ({} of {} averaging rounds), {} images/s, ETA {} s", label, Math.round(fraction * 100),
        done, rounds, Math.round(imagesPerSecond), Math.round(seconds / fraction - seconds));
  }
}
