package io.fmnist.nightly;

import io.fmnist.eval.Leaderboard;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code champion.json}: per model name, the run whose model is served, with the test accuracy
 * and interval it was promoted on. Replaced whole, written aside and renamed, under the lock.
 */
public record Champions(Map<String, Champion> models) {

  /** One model's champion: the run directory that holds it and how it scored. */
  public record Champion(String run, double accuracy, Leaderboard.Interval accuracyCi, String promoted) {}

  public static Champions read(Path path, Configuration conf) {
    return HadoopFiles.exists(path, conf) ? HadoopFiles.readJson(path, Champions.class, conf)
        : new Champions(Map.of());
  }

  public Champions with(String model, Champion champion) {
    Map<String, Champion> all = new TreeMap<>(models);
    all.put(model, champion);
    return new Champions(all);
  }

  public void write(Path path, Configuration conf) {
    AtomicOutput.write(path.toString(), true, conf, staging -> HadoopFiles.writeJson(staging, this, conf));
  }
}
