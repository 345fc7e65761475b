package io.fmnist.deep;

import io.fmnist.errors.UsageException;
import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training by synchronous parameter averaging, one Spark barrier stage per epoch:
 * one task per worker restores the network once, fits its partition's minibatches, and every
 * {@code averaging} minibatches all workers exchange their parameters and updater state through
 * the driver ({@link ParameterExchange}) and go on from the mean. Barrier mode is what makes
 * Spark start all workers at once, and restart them together after a failure. This is what DL4J's
 * {@code ParameterAveragingTrainingMaster} computes, without its cost per averaging round: a Spark
 * job, a broadcast and every worker's network rebuilt from it (about 0.1 s a round, a fifth of
 * the seed CNN's epoch at 10 minibatches a round, measured here), and without its clone of the
 * configuration that dropped the epoch and iteration counts of a {@code ComputationGraph}.
 *
 * <p>A failed task makes Spark retry the whole stage, which restarts the epoch from the network
 * it began with. A lost executor can leave fewer task slots than workers, and a barrier stage
 * waits for all of its slots: the epoch is then cancelled and run again with the workers there are.
 * A barrier job submitted just as its slots went is refused by Spark after a few checks (their
 * count and interval set by {@code SparkSessions}) and run again the same way.
 */
final class SynchronousAveraging {

  private static final Logger LOG = LoggerFactory.getLogger(SynchronousAveraging.class);
  private static final int ATTEMPTS = 3;

  private final SparkContext sc;
  private final Dataset<Row> rows;
  private final int requestedWorkers;
  private final int threads;
  private final ParameterExchange exchange;
  private Dataset<Row> partitioned;
  private int partitionedFor;

  /**
   * @param rows the training rows ({@code label}, {@code image}); {@code workers} and {@code
   *     threads} (native threads per worker) from {@link Workers}
   */
  SynchronousAveraging(SparkContext sc, Dataset<Row> rows, Workers workers) {
    requireBarrierMode(sc);
    this.sc = sc;
    this.rows = rows;
    this.requestedWorkers = workers.count();
    this.threads = workers.threads();
    this.exchange = ParameterExchange.start();
  }

  /** Refuses a Spark application where barrier stages cannot run, before any work. */
  static void requireBarrierMode(SparkContext sc) {
    if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new UsageException("deep training runs in Spark's barrier mode, which dynamic allocation does not "
          + "support: set spark.dynamicAllocation.enabled=false (the job definitions in jobs/ do)");
    }
  }

  /**
   * What one epoch made: the averaged network, its mean training loss, the images fitted, by how
   * many workers, and the slowest worker's seconds fitting minibatches and in the averaging
   * (waiting for the others included).
   */
  record Epoch(DeepNetwork network, double loss, long images, int workers, double fitSeconds,
      double averagingSeconds) {}

  /**
   * Trains {@code network} (unchanged) for one epoch, counted from 0, and returns the trained copy.
   * {@code seed} orders and augments the minibatches; {@code progress} is told the images fitted.
   */
  Epoch fit(DeepNetwork network, int epoch, MinibatchBuilder builder, int batchSize, int averaging, long seed,
      TrainingProgress progress) {
    network.setEpoch(epoch);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    Broadcast<byte[]> start = jsc.broadcast(network.toBytes(true));
    // One listener for every attempt: a loss noticed while an attempt was being submitted still counts.
    ExecutorLoss loss = new ExecutorLoss(sc);
    sc.addSparkListener(loss);
    try {
      for (int attempt = 1; ; attempt++) {
        int workers = Math.max(1, Math.min(requestedWorkers, slots()));
        LongAccumulator images = sc.longAccumulator("images fitted");
        Worker worker = new Worker(start, network.kind(), new Minibatches(builder, batchSize, seed, threads),
            averaging, images, exchange.client());
        progress.watch(images);
        sc.addSparkListener(progress);
        try {
          sc.setJobGroup(loss.newGroup(), "epoch " + (epoch + 1), true);
          List<EpochPart> parts = partitions(workers).rdd().barrier()
              .mapPartitions(worker, false, ClassTag$.MODULE$.apply(EpochPart.class))
              .toJavaRDD().collect();
          return combine(parts, network.kind(), workers);
        } catch (Exception e) { // Spark's SparkException, undeclared by its Scala methods
          // Also a barrier job that never started: the slots it was counted for were gone by then.
          boolean lost = loss.happened.get() || slots() < workers;
          if (!lost || attempt == ATTEMPTS) {
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
          }
          LOG.warn("epoch {}: an executor was lost, starting the epoch again with the task slots left", epoch + 1);
        } finally {
          sc.clearJobGroup();
          sc.removeSparkListener(progress);
        }
      }
    } finally {
      sc.removeSparkListener(loss);
      start.destroy();
    }
  }

  /** Stops the averaging endpoint and releases the training rows cached for the workers. */
  void close() {
    exchange.close();
    uncache();
  }

  private void uncache() {
    if (partitioned != null) {
      partitioned.unpersist(false);
    }
  }

  /** The training rows in one partition per worker, cached while the worker count stays. */
  Dataset<Row> partitions(int workers) {
    if (partitioned == null || partitionedFor != workers) {
      uncache();
      partitioned = rows.repartition(workers).persist(StorageLevel.MEMORY_ONLY());
      partitionedFor = workers;
    }
    return partitioned;
  }

  private static Epoch combine(List<EpochPart> parts, DeepNetwork.Kind kind, int workers) {
    double lossSum = parts.stream().mapToDouble(p -> p.lossSum).sum();
    long images = parts.stream().mapToLong(p -> p.images).sum();
    // Every worker ends with the same averaged network; the first one sends it.
    EpochPart first = parts.stream().filter(p -> p.network != null).min(Comparator.comparingInt(p -> p.partition))
        .orElseThrow(() -> new IllegalStateException("no worker returned the trained network"));
    return new Epoch(DeepNetwork.fromBytes(kind, first.network, true), images == 0 ? Double.NaN : lossSum / images,
        images, workers, parts.stream().mapToDouble(p -> p.fitSeconds).max().orElse(0),
        parts.stream().mapToDouble(p -> p.averagingSeconds).max().orElse(0));
  }

  /**
   * Task slots Spark can run at once (executor cores / task cpus; the local threads in local
   * mode): a barrier stage needs one per worker. Spark's own count for barrier stages, which it
   * keeps internal ({@code private[spark]}, public in bytecode).
   */
  private int slots() {
    return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
  }

  /** One worker's part of an epoch: its loss and images, and (from partition 0) the trained network. */
  static final class EpochPart implements Serializable {
    private static final long serialVersionUID = 1L;
    int partition;
    double lossSum;
    long images;
    double fitSeconds;
    double averagingSeconds;
    byte[] network;
  }

  /** The task each worker runs: fit, exchange, average, until no worker has minibatches left. */
  static final class Worker extends AbstractFunction1<scala.collection.Iterator<Row>, scala.collection.Iterator<EpochPart>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> start;
    private final DeepNetwork.Kind kind;
    private final Minibatches minibatches;
    private final int averaging;
    private final LongAccumulator fitted;
    private final ParameterExchange.Client exchange;

    Worker(Broadcast<byte[]> start, DeepNetwork.Kind kind, Minibatches minibatches, int averaging,
        LongAccumulator fitted, ParameterExchange.Client exchange) {
      this.exchange = exchange;
      this.start = start;
      this.kind = kind;
      this.minibatches = minibatches;
      this.averaging = averaging;
      this.fitted = fitted;
    }

    @Override
    public scala.collection.Iterator<EpochPart> apply(scala.collection.Iterator<Row> rows) {
      EpochPart part = new EpochPart();
      part.partition = BarrierTaskContext.get().partitionId();
      java.util.Iterator<DataSet> batches = minibatches.of(JavaConverters.asJavaIterator(rows), part.partition);
      DeepNetwork network = DeepNetwork.fromBytes(kind, start.value(), true);
      boolean more = true;
      while (more) {
        long fitStart = System.nanoTime();
        int round = 0;
        while (round < averaging && batches.hasNext()) {
          DataSet batch = batches.next();
          network.fit(batch);
          part.lossSum += network.score() * batch.numExamples();
          NativeRuntime.release(batch.getFeatures(), batch.getLabels());
          part.images += batch.numExamples();
          fitted.add(batch.numExamples());
          round++;
        }
        long exchangeStart = System.nanoTime();
        more = exchange.average(round, network);
        part.fitSeconds += (exchangeStart - fitStart) / 1e9;
        part.averagingSeconds += (System.nanoTime() - exchangeStart) / 1e9;
      }
      if (part.partition == 0) {
        part.network = network.toBytes(true);
      }
      return JavaConverters.asScalaIterator(List.of(part).iterator());
    }
  }

  /**
   * Cancels the epoch's job when an executor is lost while it runs: Spark would retry the barrier
   * stage, which waits forever if fewer slots than workers are left.
   */
  private static final class ExecutorLoss extends SparkListener {
    final AtomicBoolean happened = new AtomicBoolean();
    private final SparkContext sc;
    private volatile String group;

    ExecutorLoss(SparkContext sc) {
      this.sc = sc;
    }

    /** A job group for the next attempt, the one a loss cancels from now on. */
    String newGroup() {
      group = "fmnist-epoch-" + UUID.randomUUID();
      return group;
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
      happened.set(true);
      LOG.warn("executor {} lost: {}", removed.executorId(), removed.reason());
      sc.cancelJobGroup(group);
    }
  }
}
