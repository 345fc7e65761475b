package io.fmnist.eval;

import io.fmnist.fs.HadoopFiles;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The models of one run ranked by test accuracy, with bootstrap confidence intervals, timings,
 * the seed notebook's published figure, and McNemar's test between every pair of models.
 */
public record Leaderboard(int bootstrapSamples, List<Entry> models, List<Comparison> mcnemar) {

  /** One model's row. {@code seedNotebook} is null for a model the notebook did not have. */
  public record Entry(String model, double accuracy, Interval accuracyCi, double macroF1, Interval macroF1Ci,
      double trainSeconds, double inferenceImagesPerSecond, Double seedNotebook) {}

  /** A 95% percentile bootstrap interval. */
  public record Interval(double low, double high) {}

  /**
   * McNemar's test of two models on the same test images: {@code onlyFirstRight} and
   * {@code onlySecondRight} count the images exactly one of them classified correctly; a small
   * {@code pValue} says their accuracies really differ.
   */
  public record Comparison(String first, String second, long onlyFirstRight, long onlySecondRight,
      double chiSquared, double pValue) {}

  public void write(Path json, Path markdown, Configuration conf) {
    HadoopFiles.writeJson(json, this, conf);
    HadoopFiles.writeText(markdown, toMarkdown(), conf);
  }

  /** The leaderboard and the pairwise tests as Markdown tables. */
  public String toMarkdown() {
    return "# Leaderboard\n\n" + rankingTable() + "\n## McNemar's test between every pair\n\n" + mcnemarTable();
  }

  /** The models ranked by accuracy, with intervals, timings and the seed notebook's figure. */
  public String rankingTable() {
    StringBuilder md = new StringBuilder("Official test set; 95% intervals from ")
        .append(bootstrapSamples).append(" bootstrap resamples.\n\n")
        .append("| rank | model | accuracy | 95% CI | macro F1 | 95% CI | train s | predict images/s | seed notebook |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < models.size(); i++) {
      Entry e = models.get(i);
      md.append(String.format(Locale.ROOT, "| %d | %s | %.4f | %.4f-%.4f | %.4f | %.4f-%.4f | %.1f | %.0f | %s |%n",
          i + 1, e.model(), e.accuracy(), e.accuracyCi().low(), e.accuracyCi().high(), e.macroF1(),
          e.macroF1Ci().low(), e.macroF1Ci().high(), e.trainSeconds(), e.inferenceImagesPerSecond(),
          e.seedNotebook() == null ? "-" : String.format(Locale.ROOT, "%.2f", e.seedNotebook())));
    }
    return md.toString();
  }

  /** McNemar's test for every pair of models. */
  public String mcnemarTable() {
    StringBuilder md = new StringBuilder(
        "| models | only the first right | only the second right | chi-squared | p |\n|---|---|---|---|---|\n");
    for (Comparison c : mcnemar) {
      md.append(String.format(Locale.ROOT, "| %s vs %s | %d | %d | %.2f | %.3g |%n", c.first(), c.second(),
          c.onlyFirstRight(), c.onlySecondRight(), c.chiSquared(), c.pValue()));
    }
    return md.toString();
  }

  public static Leaderboard read(Path json, Configuration conf) {
    return HadoopFiles.readJson(json, Leaderboard.class, conf);
  }
}
