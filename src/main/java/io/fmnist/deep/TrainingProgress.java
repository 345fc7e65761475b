package io.fmnist.deep;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Progress of one epoch on the driver: the workers count the images they fit in an accumulator,
 * whose running values reach the driver with the executors' heartbeats; a line with images/s and
 * ETA at most every {@code intervalSeconds}.
 */
final class TrainingProgress extends SparkListener {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);

  private final String label;
  private final long images;
  private final double intervalSeconds;
  private final long start = System.nanoTime();
  private final Map<Long, Long> fittedByTask = new HashMap<>();
  private long lastLog = start;
  private long accumulatorId = -1;

  TrainingProgress(String label, long images, double intervalSeconds) {
    this.label = label;
    this.images = Math.max(1, images);
    this.intervalSeconds = intervalSeconds;
  }

  /** Follows {@code fitted}, the workers' count of images fitted (a new one when an epoch restarts). */
  synchronized void watch(LongAccumulator fitted) {
    accumulatorId = fitted.id();
    fittedByTask.clear();
  }

  @Override
  public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task
        : JavaConverters.seqAsJavaList(update.accumUpdates())) {
      for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
        if (info.id() == accumulatorId && info.update().isDefined()) {
          fittedByTask.put((Long) task._1(), ((Number) info.update().get()).longValue());
        }
      }
    }
    long now = System.nanoTime();
    long fitted = fittedByTask.values().stream().mapToLong(Long::longValue).sum();
    if (fitted == 0 || (now - lastLog) / 1e9 < intervalSeconds) {
      return;
    }
    lastLog = now;
    double seconds = (now - start) / 1e9;
    double fraction = Math.min(1, (double) fitted / images);
    LOG.info("{}: {}% ({} of {} images), {} images/s, ETA {} s", label, Math.round(fraction * 100), fitted, images,
        Math.round(fitted / seconds), Math.round(seconds / fraction - seconds));
  }
}
