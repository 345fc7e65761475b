package io.fmnist.cli;

import io.fmnist.config.AppConfig;
import io.fmnist.run.SparkSessions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
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
}
