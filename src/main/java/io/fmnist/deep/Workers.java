package io.fmnist.deep;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * How many Spark workers train in parallel, and how many native (ND4J, OpenMP, BLAS) threads each
 * may use so that together they fill the cores without oversubscribing them: in local mode the
 * workers share the driver's cores; on a cluster each task owns {@code spark.task.cpus} cores.
 */
public record Workers(int count, int threads) {

  public static Workers of(SparkSession spark, Config deep) {
    SparkContext sc = spark.sparkContext();
    int count = deep.getInt("workers") > 0 ? deep.getInt("workers") : sc.defaultParallelism();
    int configured = deep.getInt("threads-per-worker");
    if (configured > 0) {
      return new Workers(count, configured);
    }
    return new Workers(count, threads(sc, count));
  }

  /** The native threads of each of {@code count} parallel tasks when the configuration names none. */
  static int threads(SparkContext sc, int count) {
    int threads = sc.isLocal()
        ? Runtime.getRuntime().availableProcessors() / Math.min(count, sc.defaultParallelism())
        : sc.getConf().getInt("spark.task.cpus", 1);
    return Math.max(1, threads);
  }
}
