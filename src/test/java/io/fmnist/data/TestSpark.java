package io.fmnist.data;

import io.fmnist.config.AppConfig;
import io.fmnist.run.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** One local Spark session for the whole test JVM (local[2], no UI: set by surefire's system properties). */
public final class TestSpark {

  private TestSpark() {}

  public static SparkSession session() {
    return SparkSessions.getOrCreate(AppConfig.defaults());
  }
}
