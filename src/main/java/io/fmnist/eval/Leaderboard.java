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

  private static final String TITLE = "# Leaderboard\n\n";

  /**
   * One model's row. {@code seedNotebook} is null for a model the notebook did not have, {@code
   * expectedCalibrationError} for a model without probabilities (both it and {@code top2Accuracy}
   * for leaderboards written before they were measured).
   */
  public record Entry(String model, double accuracy, Interval accuracyCi, double macroF1, Interval macroF1Ci,
      double trainSeconds, double inferenceImagesPerSecond, Double seedNotebook, Double top2Accuracy,
      Double expectedCalibrationError) {}

  /** A 95% percentile bootstrap interval. */
  public record Interval(double low, double high) {}

  /**
   * McNemar's test of two models on the same test images: {@code onlyFirstRight} and
   * {@code onlySecondRight} count the images exactly one of them classified correctly; a small
   * {@code pValue} says their accuracies really differ.
   */
  public record Comparison(String first, String second, long onlyFirstRight, long onlySecondRight,
      double chiSquared, double pValue) {

    /** The same test with the two models' places swapped. */
    Comparison reversed() {
      return new Comparison(second, first, onlySecondRight, onlyFirstRight, chiSquared, pValue);
    }
  }

  public void write(Path json, Path markdown, Configuration conf) {
    HadoopFiles.writeJson(json, this, conf);
    HadoopFiles.writeText(markdown, toMarkdown(), conf);
  }

  /** The leaderboard and the pairwise tests as Markdown tables. */
  public String toMarkdown() {
    return TITLE + rankingTable() + "\n## McNemar's test between every pair\n\n" + mcnemarTable();
  }

  /** The models ranked by accuracy, with intervals, timings and the seed notebook's figure. */
  public String rankingTable() {
    StringBuilder md = new StringBuilder("Official test set; 95% intervals from ")
        .append(bootstrapSamples).append(" bootstrap resamples.\n\n")
        .append(" Top-2: the true class among the two highest scores; ECE: expected calibration error of the")
        .append(" top probability (10 bins; - where the model gives no probabilities).\n\n")
        .append("| rank | model | accuracy | 95% CI | macro F1 | 95% CI | top-2 | ECE | train s | predict images/s |")
        .append(" seed notebook |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < models.size(); i++) {
      Entry e = models.get(i);
      md.append(String.format(Locale.ROOT, "| %d | %s | %.4f | %.4f-%.4f | %.4f | %.4f-%.4f | %s | %s | %.1f | %.0f | %s |%n",
          i + 1, e.model(), e.accuracy(), e.accuracyCi().low(), e.accuracyCi().high(), e.macroF1(),
          e.macroF1Ci().low(), e.macroF1Ci().high(), format("%.4f", e.top2Accuracy()),
          format("%.4f", e.expectedCalibrationError()), e.trainSeconds(), e.inferenceImagesPerSecond(),
          format("%.2f", e.seedNotebook())));
    }
    return md.toString();
  }

  private static String format(String pattern, Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, pattern, value);
  }

  /**
   * What the commands print at the end: the ranking, and McNemar's test of the top model against
   * each other one; every pair (a run of a dozen models has 66) is in the Markdown file at {@code
   * everyPair}.
   */
  public String summary(Path everyPair) {
    StringBuilder md = new StringBuilder(TITLE).append(rankingTable());
    if (!models.isEmpty() && !mcnemar.isEmpty()) {
      String top = models.get(0).model();
      List<Comparison> withTop = mcnemar.stream().filter(c -> c.first().equals(top) || c.second().equals(top))
          .map(c -> c.first().equals(top) ? c : c.reversed()).toList();
      md.append("\n## McNemar's test: ").append(top).append(" against each other model\n\n")
          .append(mcnemarTable(withTop)).append("\nEvery pair: ").append(everyPair).append('\n');
    }
    return md.toString();
  }

  /** McNemar's test for every pair of models. */
  public String mcnemarTable() {
    return mcnemarTable(mcnemar);
  }

  private static String mcnemarTable(List<Comparison> comparisons) {
    StringBuilder md = new StringBuilder(
        "| models | only the first right | only the second right | chi-squared | p |\n|---|---|---|---|---|\n");
    for (Comparison c : comparisons) {
      md.append(String.format(Locale.ROOT, "| %s vs %s | %d | %d | %.2f | %.3g |%n", c.first(), c.second(),
          c.onlyFirstRight(), c.onlySecondRight(), c.chiSquared(), c.pValue()));
    }
    return md.toString();
  }

  public static Leaderboard read(Path json, Configuration conf) {
    return HadoopFiles.readJson(json, Leaderboard.class, conf);
  }
}
