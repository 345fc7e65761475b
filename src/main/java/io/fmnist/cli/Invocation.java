package io.fmnist.cli;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.FmnistException;
import io.fmnist.errors.UsageException;
import io.fmnist.pipeline.Stages;
import io.fmnist.run.BuildInfo;
import io.fmnist.run.RunDirectory;
import io.fmnist.run.RunManifest;
import io.fmnist.run.SparkSessions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.commons.cli.CommandLine;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** One run of a command: its parsed options, its configuration, its Spark session, where it reports. */
final class Invocation {

  private final List<String> args;
  private final CommandLine line;
  private final PrintStream out;
  private AppConfig config;

  Invocation(String[] args, CommandLine line, PrintStream out) {
    this.args = List.copyOf(Arrays.asList(args));
    this.line = line;
    this.out = out;
  }

  /** The whole command line as given, for run manifests. */
  List<String> args() {
    return args;
  }

  String value(String option) {
    return line.getOptionValue(option);
  }

  boolean has(String option) {
    return line.hasOption(option);
  }

  /** The value of {@code option} as a positive whole number, or {@code otherwise} when it is absent. */
  int positive(String option, int otherwise) {
    if (!has(option)) {
      return otherwise;
    }
    String value = value(option);
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new UsageException("--" + option + " must be a positive whole number, not '" + value + "'");
  }

  PrintStream out() {
    return out;
  }

  /** The configuration: defaults, then --conf, then each --set. */
  AppConfig config() {
    if (config == null) {
      String[] sets = line.getOptionValues(CommonOptions.SET);
      config = AppConfig.load(line.getOptionValue(CommonOptions.CONF),
          sets == null ? List.of() : List.of(sets), new Configuration());
    }
    return config;
  }

  SparkSession spark() {
    return SparkSessions.getOrCreate(config());
  }

  /** The stages, run in this invocation's Spark session and configuration, reporting to its output. */
  Stages stages() {
    return new Stages(spark(), config(), out);
  }

  /**
   * Creates the run directory named by --output (replacing one only with --overwrite) and its
   * manifest, runs {@code stages} in it, and marks the run complete or failed with the reason.
   */
  RunDirectory inNewRun(BiConsumer<RunDirectory, RunManifest> stages) {
    return inRun(false, stages);
  }

  /**
   * As {@link #inNewRun}, or with {@code existing} in the run directory that --output names,
   * whose manifest then records this invocation.
   */
  RunDirectory inRun(boolean existing, BiConsumer<RunDirectory, RunManifest> stages) {
    return inRun(value(CommonOptions.OUTPUT), existing, stages);
  }

  /** As {@link #inRun(boolean, BiConsumer)} in the run directory at {@code uri}. */
  RunDirectory inRun(String uri, boolean existing, BiConsumer<RunDirectory, RunManifest> stages) {
    SparkSession spark = spark();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    RunDirectory run = existing ? RunDirectory.open(uri, conf)
        : RunDirectory.create(uri, has(CommonOptions.OVERWRITE), conf);
    RunManifest manifest = new RunManifest(run, args, config(), BuildInfo.versions(spark.version()), conf);
    // Spark exits the JVM on an OutOfMemoryError in a task; the run must not stay "running".
    Thread exited = new Thread(() -> manifest.fail("the JVM exited before the run finished "
        + "(an OutOfMemoryError in a Spark task, or a signal: see the log)"));
    Runtime.getRuntime().addShutdownHook(exited);
    try {
      stages.accept(run, manifest);
      manifest.complete();
    } catch (RuntimeException e) {
      manifest.fail(e instanceof FmnistException ? e.getMessage() : String.valueOf(e));
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(exited);
      } catch (IllegalStateException e) {
        // The JVM is shutting down already: the hook records it.
      }
    }
    out.println("run complete: " + run.root());
    return run;
  }
}
