package io.fmnist.classical;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.fmnist.errors.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tuning.ParamGridBuilder;

/**
 * Spark ML parameters from configuration, by name: {@code max-iter = 100} in conf sets the
 * estimator's {@code maxIter} (dashes dropped, case ignored). So every MLlib hyperparameter is configurable without code, and a
 * misspelt one fails with the estimator's own parameter list.
 */
final class SparkParams {

  private SparkParams() {}

  /** Sets every key of {@code params} (a config object) on {@code target}. */
  static void apply(Params target, Config params, String origin) {
    for (Map.Entry<String, ConfigValue> entry : params.root().entrySet()) {
      Param<Object> param = param(target, entry.getKey(), origin);
      target.set(param, convert(param, entry.getValue().unwrapped(), origin + "." + entry.getKey()));
    }
  }

  /** The grid of {@code grid} (a config object of lists) over {@code target}; one empty map when empty. */
  static ParamMap[] grid(Params target, Config grid, String origin) {
    ParamGridBuilder builder = new ParamGridBuilder();
    for (Map.Entry<String, ConfigValue> entry : grid.root().entrySet()) {
      Param<Object> param = param(target, entry.getKey(), origin);
      if (!(entry.getValue().unwrapped() instanceof List<?> values) || values.isEmpty()) {
        throw new UsageException(origin + "." + entry.getKey() + ": a grid entry must be a non-empty list");
      }
      List<Object> converted = new ArrayList<>();
      for (Object value : values) {
        converted.add(convert(param, value, origin + "." + entry.getKey()));
      }
      builder.addGrid(param, scala.collection.JavaConverters.iterableAsScalaIterable(converted));
    }
    return builder.build();
  }

  /** {@code reg-param} names {@code regParam}, {@code max-memory-in-mb} names {@code maxMemoryInMB}. */
  @SuppressWarnings("unchecked")
  private static Param<Object> param(Params target, String key, String origin) {
    String wanted = key.replace("-", "");
    List<String> known = new ArrayList<>();
    for (Param<?> param : target.params()) {
      if (param.name().equalsIgnoreCase(wanted)) {
        return (Param<Object>) param;
      }
      known.add(param.name());
    }
    throw new UsageException(origin + "." + key + ": " + target.getClass().getSimpleName()
        + " has no parameter " + key + " (it has " + String.join(", ", known) + ")");
  }

  private static Object convert(Param<?> param, Object value, String origin) {
    try {
      if (param instanceof DoubleParam) {
        return ((Number) value).doubleValue();
      }
      if (param instanceof IntParam) {
        return ((Number) value).intValue();
      }
      if (param instanceof LongParam) {
        return ((Number) value).longValue();
      }
      if (param instanceof BooleanParam) {
        return (Boolean) value;
      }
      if (param instanceof IntArrayParam) {
        return ((List<?>) value).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
      }
      return value.toString();
    } catch (ClassCastException e) {
      throw new UsageException(origin + ": " + value + " is not a valid " + param.name());
    }
  }
}
