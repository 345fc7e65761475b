package io.fmnist.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import io.fmnist.data.ImageFolders;
import io.fmnist.errors.UsageException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The resolved configuration of one command: {@code conf/default.conf} (packed in the jar), a
 * {@code --conf} file layered over it, then each {@code --set key=value}. Keys the defaults do not
 * have, and values of the wrong type, are refused, so that a typo cannot be silently ignored.
 */
public final class AppConfig {

  /** Where the defaults live on the classpath (copied there from conf/ by the build). */
  public static final String DEFAULTS = "conf/default.conf";

  private static final Set<String> OPEN_OBJECTS = Set.of("params", "grid", "class-weights");

  private final Config config;

  private AppConfig(Config config) {
    this.config = config;
  }

  /** The defaults alone. */
  public static AppConfig defaults() {
    return load(null, List.of(), new Configuration(false));
  }

  /**
   * Layers {@code confUri} (any Hadoop URI, may be null) and then {@code sets} over the defaults.
   *
   * @throws UsageException naming the file or key that is wrong
   */
  public static AppConfig load(String confUri, List<String> sets, Configuration hadoop) {
    Config defaults = ConfigFactory.parseResources(DEFAULTS,
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = defaults;
    if (confUri != null) {
      merged = overlay(readFile(confUri, hadoop), defaults, confUri).withFallback(merged);
    }
    for (String set : sets) {
      merged = overlay(parseSet(set), defaults, "--set " + set).withFallback(merged);
    }
    try {
      Config resolved = merged.resolve();
      resolved.checkValid(defaults);
      checkTypes(resolved, defaults);
      return new AppConfig(resolved);
    } catch (ConfigException e) {
      throw new UsageException("configuration: " + e.getMessage());
    }
  }

  /** The underlying Typesafe Config, for the stages' typed settings. */
  public Config config() {
    return config;
  }

  /** The whole resolved configuration as JSON, for the run manifest. */
  public String toJson() {
    return config.root().render(ConfigRenderOptions.concise().setFormatted(true));
  }

  public long seed() {
    return config.getLong("seed");
  }

  public List<String> classNames() {
    return config.getStringList("data.class-names");
  }

  /**
   * A {@code class-weights} object of {@code section} ({@code where} names it in errors): class name
   * to a positive weight, by label (the index in {@code classNames}); empty where all are 1.
   */
  public static Map<Integer, Double> classWeights(Config section, String where, List<String> classNames) {
    Map<Integer, Double> byLabel = new LinkedHashMap<>();
    for (var entry : section.getConfig("class-weights").root().unwrapped().entrySet()) {
      int label = classNames.indexOf(entry.getKey());
      if (label < 0) {
        throw new UsageException(where + ": unknown class '" + entry.getKey() + "' (" + classNames + ")");
      }
      if (!(entry.getValue() instanceof Number weight) || weight.doubleValue() <= 0) {
        throw new UsageException(where + "." + entry.getKey() + " must be a positive number, is " + entry.getValue());
      }
      byLabel.put(label, weight.doubleValue());
    }
    return byLabel;
  }

  /** {@code data.image-folders}: the size image folders' images are brought to at ingest, and predict's image files. */
  public ImageFolders.Target imageFolderTarget() {
    Config folders = config.getConfig("data.image-folders");
    try {
      return new ImageFolders.Target(folders.getInt("rows"), folders.getInt("cols"), folders.getInt("channels"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("data.image-folders: " + e.getMessage());
    }
  }

  public int imagesPerPartition() {
    return positive("data.images-per-partition");
  }

  public String appName() {
    return config.getString("spark.app-name");
  }

  public String defaultMaster() {
    return config.getString("spark.default-master");
  }

  public int sqlShufflePartitions() {
    return positive("spark.sql-shuffle-partitions");
  }

  private int positive(String key) {
    int value = config.getInt(key);
    if (value <= 0) {
      throw new UsageException("configuration: " + key + " must be positive, is " + value);
    }
    return value;
  }

  /**
   * Keys under a {@code params} or {@code grid} object name Spark ML parameters, and those under
   * {@code class-weights} class names, which the defaults cannot list; the model stage checks them.
   */
  private static boolean underOpenObject(String key, Config defaults) {
    List<String> path = ConfigUtil.splitPath(key);
    for (int i = path.size() - 1; i > 0; i--) {
      String name = path.get(i - 1);
      String parent = ConfigUtil.joinPath(path.subList(0, i));
      if (OPEN_OBJECTS.contains(name) && defaults.hasPath(parent)) {
        return true;
      }
    }
    return false;
  }

  /** checkValid lets a string stand for any type; reading each key as the defaults' type catches {@code seed=many}. */
  private static void checkTypes(Config config, Config defaults) {
    defaults.entrySet().forEach(entry -> {
      String key = entry.getKey();
      switch (entry.getValue().valueType()) {
        case NUMBER -> config.getNumber(key);
        case BOOLEAN -> config.getBoolean(key);
        case LIST -> config.getList(key);
        default -> config.getValue(key);
      }
    });
  }

  private static Config readFile(String uri, Configuration hadoop) {
    Path path = new Path(uri);
    try {
      if (!HadoopFiles.fileSystem(path, hadoop).exists(path)) {
        throw new UsageException(uri + ": configuration file not found");
      }
    } catch (IOException e) {
      throw new UsageException(uri + ": cannot read configuration file (" + e.getMessage() + ")");
    }
    try {
      return ConfigFactory.parseString(HadoopFiles.readText(path, hadoop),
          ConfigParseOptions.defaults().setOriginDescription(uri));
    } catch (ConfigException e) {
      throw new UsageException(uri + ": " + e.getMessage());
    }
  }

  /** {@code key=value}, the value read as HOCON (numbers, lists) or else taken as a plain string. */
  private static Config parseSet(String set) {
    int eq = set.indexOf('=');
    if (eq <= 0) {
      throw new UsageException("--set " + set + ": expected key=value");
    }
    String key = set.substring(0, eq).trim();
    String value = set.substring(eq + 1).trim();
    try {
      return ConfigFactory.parseString(key + " = " + value);
    } catch (ConfigException e) {
      try {
        return ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value));
      } catch (ConfigException badKey) {
        throw new UsageException("--set " + set + ": " + badKey.getMessage());
      }
    }
  }

  private static Config overlay(Config layer, Config defaults, String origin) {
    for (Map.Entry<String, ?> entry : layer.entrySet()) {
      if (!defaults.hasPath(entry.getKey()) && !underOpenObject(entry.getKey(), defaults)) {
        throw new UsageException(origin + ": unknown configuration key '" + entry.getKey()
            + "' (see conf/default.conf for the keys)");
      }
    }
    return layer;
  }
}
