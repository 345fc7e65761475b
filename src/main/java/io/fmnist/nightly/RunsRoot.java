package io.fmnist.nightly;

import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one place that knows the layout of a runs root, where nightly retraining keeps its runs:
 * one run directory per night ({@code <yyyyMMdd-HHmmss>-<4 hex>/}), {@code champion.json} (the
 * model each name is served by), {@code history/<run>.json} (every night's metrics and gate
 * decisions), {@code trend.png} and {@code trend.html}, and the gate's {@code .lock}.
 */
public final class RunsRoot {

  private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path root;

  private RunsRoot(Path root) {
    this.root = root;
  }

  /** The runs root at {@code uri}, created if absent. */
  public static RunsRoot at(String uri, Configuration conf) {
    Path path = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    try {
      path = fs.makeQualified(path);
      fs.mkdirs(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the runs root " + path, e);
    }
    return new RunsRoot(path);
  }

  public Path root() {
    return root;
  }

  /** A new run's directory: the UTC time, and a random suffix so that two runs never share one. */
  public Path newRun() {
    String name = RUN_NAME.format(ZonedDateTime.now(ZoneOffset.UTC))
        + String.format("-%04x", ThreadLocalRandom.current().nextInt(0x10000));
    return new Path(root, name);
  }

  public Path champion() {
    return new Path(root, "champion.json");
  }

  public Path history() {
    return new Path(root, "history");
  }

  public Path history(String run) {
    return new Path(history(), run + ".json");
  }

  public Path trend() {
    return new Path(root, "trend.png");
  }

  /** The interactive trend, beside trend.png. */
  public Path trendPage() {
    return new Path(root, "trend.html");
  }

  public Path lock() {
    return new Path(root, ".lock");
  }
}
