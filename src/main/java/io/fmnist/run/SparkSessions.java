package io.fmnist.run;

import io.fmnist.config.AppConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The one way this application gets its SparkSession. */
public final class SparkSessions {

  static final String BARRIER_CHECK_INTERVAL = "spark.scheduler.barrier.maxConcurrentTasksCheck.interval";
  static final String BARRIER_CHECK_FAILURES = "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures";

  private SparkSessions() {}

  /**
   * The active session, or a new one. The master is never hard-coded: spark-submit's
   * {@code --master} (or a {@code spark.master} property) wins, else the configured default,
   * {@code local[*]}.
   */
  public static SparkSession getOrCreate(AppConfig config) {
    SparkConf conf = new SparkConf()
        .setIfMissing("spark.app.name", config.appName())
        .setIfMissing("spark.master", config.defaultMaster())
        .setIfMissing("spark.sql.shuffle.partitions", Integer.toString(config.sqlShufflePartitions()))
        // Faster than Java serialization for MLlib's shuffles (the random forest's statistics).
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        // An executor lost between counting the task slots and submitting an epoch's barrier job
        // makes Spark re-check the slots, 40 times 15 s apart by default, before the job fails and
        // SynchronousAveraging starts the epoch again with the workers left: 10 s is enough.
        .setIfMissing(BARRIER_CHECK_INTERVAL, "2s")
        .setIfMissing(BARRIER_CHECK_FAILURES, "5");
    // MLlib's BLAS in every executor (and in local mode, this JVM): see MllibBlas.
    String plugins = conf.get("spark.plugins", "");
    if (!plugins.contains(NativeLibrariesPlugin.class.getName())) {
      conf.set("spark.plugins", (plugins.isEmpty() ? "" : plugins + ",") + NativeLibrariesPlugin.class.getName());
    }
    SparkSession session = SparkSession.builder().config(conf).getOrCreate();
    // The driver's own MLlib work (in local mode the executor's too, chosen by the plugin already).
    MllibBlas.configure(1);
    return session;
  }
}
