package io.fmnist.nightly;

import io.fmnist.eval.Leaderboard;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.report.Charts;
import io.fmnist.report.TrendPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Every nightly run's results under the runs root, one file per run ({@code history/<run>.json}:
 * an append-only history that needs no append, which object stores lack), and the trend plot
 * drawn from all of them.
 */
public final class NightlyHistory {

  /**
   * One night: its run, when its gate ran, every model's leaderboard row (accuracy and macro F1
   * with their intervals, training seconds, prediction images/s) and the gate's verdict on each.
   */
  public record Night(String run, String gated, List<Leaderboard.Entry> models,
      List<ChampionGate.Decision> decisions) {}

  private final RunsRoot root;
  private final Configuration conf;

  public NightlyHistory(RunsRoot root, Configuration conf) {
    this.root = root;
    this.conf = conf;
  }

  public void add(Night night) {
    AtomicOutput.write(root.history(night.run()).toString(), false, conf,
        staging -> HadoopFiles.writeJson(staging, night, conf));
  }

  /** Every night so far, oldest first (run names start with their UTC time). */
  public List<Night> all() {
    Path dir = root.history();
    try {
      if (!HadoopFiles.exists(dir, conf)) {
        return List.of();
      }
      return Arrays.stream(HadoopFiles.fileSystem(dir, conf).listStatus(dir)).map(FileStatus::getPath)
          .filter(path -> path.getName().endsWith(".json") && !path.getName().startsWith("."))
          .sorted().map(path -> HadoopFiles.readJson(path, Night.class, conf)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** {@code trend.png} and {@code trend.html}: each model's test accuracy night by night. */
  public void drawTrend() {
    List<Night> nights = all();
    Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
    Map<String, Map<String, TrendPage.Point>> points = new LinkedHashMap<>();
    for (Night night : nights) {
      for (ChampionGate.Decision decision : night.decisions()) {
        accuracy.computeIfAbsent(decision.model(), model -> new LinkedHashMap<>()).put(night.run(), decision.accuracy());
        points.computeIfAbsent(decision.model(), model -> new LinkedHashMap<>()).put(night.run(),
            new TrendPage.Point(decision.accuracy(), decision.accuracyCi().low(), decision.accuracyCi().high(),
                decision.promoted(), decision.reason()));
      }
    }
    List<String> runs = nights.stream().map(Night::run).toList();
    byte[] png = Charts.png(Charts.trend(runs, accuracy), 1000, 600);
    AtomicOutput.write(root.trend().toString(), true, conf, staging -> HadoopFiles.writeBytes(staging, png, conf));
    String html = TrendPage.html(runs, points);
    AtomicOutput.write(root.trendPage().toString(), true, conf, staging -> HadoopFiles.writeText(staging, html, conf));
  }
}
