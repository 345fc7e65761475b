package io.fmnist.eval;


import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.run.RunDirectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Gamma;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate stage: every model's predictions in a run become {@code metrics/<name>.json}
 * (computed where missing, completed with the {@link Diagnostics} always) and one {@link
 * Leaderboard}. It reads the predictions contract only, never a
 * model stage's code.
 */
public final class Evaluation {

  private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);

  /** The seed notebook's published test accuracies (DESIGN.md). */
  public static final Map<String, Double> SEED_NOTEBOOK =
      Map.of("resnet", 0.91, "cnn", 0.91, "rf", 0.89, "svm", 0.87, "mlp", 0.85, "lr", 0.83);

  private final SparkSession spark;
  private final List<String> classNames;
  private final int bootstrapSamples;
  private final int examplesPerCell;
  private final long seed;

  /** {@code examplesPerCell}: misclassified images kept per confusion cell for the report's explorer. */
  public Evaluation(SparkSession spark, List<String> classNames, int bootstrapSamples, int examplesPerCell,
      long seed) {
    this.spark = spark;
    this.classNames = List.copyOf(classNames);
    this.bootstrapSamples = bootstrapSamples;
    this.examplesPerCell = examplesPerCell;
    this.seed = seed;
  }

  /** Evaluates every model with predictions in {@code run}, writes and returns the leaderboard. */
  public Leaderboard run(RunDirectory run) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> names = run.modelsWithPredictions();
    if (names.isEmpty()) {
      throw new BadInputException(run.root().toString(), "has no predictions to evaluate");
    }
    List<int[][]> outcomes = new ArrayList<>();
    List<Leaderboard.Entry> entries = new ArrayList<>();
    for (String name : names) {
      Dataset<Row> predictions = spark.read().parquet(run.predictions(name).toString());
      Predictions.Collected scored = Predictions.collect(predictions);
      Diagnostics diagnostics = Diagnostics.of(scored.ids(), scored.labelsAndPredictions()[0],
          scored.labelsAndPredictions()[1], scored.scores(), scored.probabilities(), examplesPerCell);
      ModelMetrics metrics = metrics(run, name, predictions, conf).withDiagnostics(diagnostics);
      metrics.write(run.metrics(name), conf);
      int[][] labelsAndPredictions = scored.labelsAndPredictions();
      outcomes.add(labelsAndPredictions);
      entries.add(new Leaderboard.Entry(name, metrics.accuracy(),
          bootstrap(labelsAndPredictions, true), metrics.macro().f1(), bootstrap(labelsAndPredictions, false),
          metrics.trainSeconds(), metrics.inferenceImagesPerSecond(), SEED_NOTEBOOK.get(name),
          diagnostics.top2Accuracy(), diagnostics.expectedCalibrationError()));
    }
    List<Leaderboard.Comparison> comparisons = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        comparisons.add(mcnemar(names.get(i), outcomes.get(i), names.get(j), outcomes.get(j)));
      }
    }
    entries.sort(Comparator.comparingDouble(Leaderboard.Entry::accuracy).reversed());
    Leaderboard leaderboard = new Leaderboard(bootstrapSamples, entries, comparisons);
    leaderboard.write(run.leaderboard(), run.leaderboardTable(), conf);
    LOG.info("evaluate: {} models; best {} at {}", entries.size(), entries.get(0).model(),
        String.format("%.4f", entries.get(0).accuracy()));
    return leaderboard;
  }

  /** The model's metrics, computed from its predictions where the model stage wrote none. */
  private ModelMetrics metrics(RunDirectory run, String name, Dataset<Row> predictions, Configuration conf) {
    Path path = run.metrics(name);
    if (HadoopFiles.exists(path, conf)) {
      return ModelMetrics.read(path, conf);
    }
    return ModelMetrics.compute(name, predictions, classNames,
        new ModelMetrics.Training(Double.NaN, Double.NaN, null, Map.of()));
  }

  /** 95% percentile interval of accuracy (or macro F1) over resamples of the test images. */
  Leaderboard.Interval bootstrap(int[][] labelsAndPredictions, boolean accuracy) {
    int n = labelsAndPredictions[0].length;
    int k = classNames.size();
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[bootstrapSamples];
    long[][] confusion = new long[k][k];
    for (int b = 0; b < bootstrapSamples; b++) {
      for (long[] row : confusion) {
        Arrays.fill(row, 0);
      }
      for (int i = 0; i < n; i++) {
        int pick = random.nextInt(n);
        confusion[labelsAndPredictions[0][pick]][labelsAndPredictions[1][pick]]++;
      }
      values[b] = accuracy ? accuracy(confusion, n) : macroF1(confusion);
    }
    Arrays.sort(values);
    return new Leaderboard.Interval(values[(int) Math.floor(0.025 * (bootstrapSamples - 1))],
        values[(int) Math.ceil(0.975 * (bootstrapSamples - 1))]);
  }

  /** McNemar's chi-squared test with continuity correction on the images exactly one model got right. */
  static Leaderboard.Comparison mcnemar(String first, int[][] a, String second, int[][] b) {
    long onlyFirst = 0;
    long onlySecond = 0;
    for (int i = 0; i < a[0].length; i++) {
      boolean firstRight = a[1][i] == a[0][i];
      boolean secondRight = b[1][i] == b[0][i];
      onlyFirst += firstRight && !secondRight ? 1 : 0;
      onlySecond += secondRight && !firstRight ? 1 : 0;
    }
    long discordant = onlyFirst + onlySecond;
    double chi = discordant == 0 ? 0 : Math.pow(Math.max(0, Math.abs(onlyFirst - onlySecond) - 1), 2) / discordant;
    // The chi-squared(1) upper tail as Q(1/2, chi/2): exact where 1 - cdf would round to 0.
    double p = discordant == 0 ? 1 : Gamma.regularizedGammaQ(0.5, chi / 2);
    return new Leaderboard.Comparison(first, second, onlyFirst, onlySecond, chi, p);
  }

  private static double accuracy(long[][] confusion, int n) {
    long correct = 0;
    for (int c = 0; c < confusion.length; c++) {
      correct += confusion[c][c];
    }
    return (double) correct / n;
  }

  private static double macroF1(long[][] confusion) {
    double sum = 0;
    for (int c = 0; c < confusion.length; c++) {
      long truePositive = confusion[c][c];
      long actual = Arrays.stream(confusion[c]).sum();
      long predicted = 0;
      for (long[] row : confusion) {
        predicted += row[c];
      }
      sum += actual + predicted == 0 ? 0 : 2.0 * truePositive / (actual + predicted);
    }
    return sum / confusion.length;
  }
}
