package io.fmnist.run;

import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * A Spark plugin ({@code spark.plugins}, set by {@link SparkSessions}) that chooses MLlib's BLAS
 * ({@link MllibBlas}) in every executor JVM as it starts, before any task asks for one: the
 * driver's choice does not reach executors on a cluster. In local mode the one executor is the
 * driver's JVM.
 */
public final class NativeLibrariesPlugin implements SparkPlugin {

  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext context, Map<String, String> extraConf) {
        MllibBlas.configure(context.conf().getInt("spark.task.cpus", 1));
      }
    };
  }
}
