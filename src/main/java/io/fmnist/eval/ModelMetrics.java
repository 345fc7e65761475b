package io.fmnist.eval;

import static org.apache.spark.sql.functions.col;

import io.fmnist.data.ParquetLayout;
import io.fmnist.fs.HadoopFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code metrics/<name>.json}: a model's quality on the test set, computed by MLlib's
 * {@link MulticlassMetrics} from its predictions, with how long it took to train and to predict;
 * the evaluate stage adds the {@link Diagnostics} (top-2 accuracy, calibration, misclassified examples).
 */
public record ModelMetrics(
    String model,
    long testImages,
    double accuracy,
    Average macro,
    Average weighted,
    List<ClassMetrics> perClass,
    long[][] confusionMatrix,
    double trainSeconds,
    double inferenceImagesPerSecond,
    Double validationAccuracy,
    Map<String, Object> chosenParams,
    Diagnostics diagnostics) {

  /** Precision, recall and F1 averaged over classes. */
  public record Average(double precision, double recall, double f1) {}

  /** One class: its name, precision, recall, F1 and number of test images. */
  public record ClassMetrics(String name, double precision, double recall, double f1, long support) {}

  /** What the trainer knows beyond the predictions: timings, validation accuracy, chosen hyperparameters. */
  public record Training(double trainSeconds, double inferenceImagesPerSecond, Double validationAccuracy,
      Map<String, Object> chosenParams) {}

  /**
   * Computes the metrics of {@code predictions} (the {@link Predictions} contract, with labels)
   * for a model over {@code classNames}.
   */
  public static ModelMetrics compute(String model, Dataset<Row> predictions, List<String> classNames,
      Training training) {
    Dataset<Row> pairs = predictions.select(col(Predictions.PREDICTION).cast("double"),
        col(ParquetLayout.LABEL).cast("double"));
    MulticlassMetrics metrics = new MulticlassMetrics(pairs);
    int k = classNames.size();
    Matrix confusion = metrics.confusionMatrix();
    double[] labels = metrics.labels();
    long[][] counts = new long[k][k];
    for (int i = 0; i < labels.length; i++) {
      for (int j = 0; j < labels.length; j++) {
        counts[(int) labels[i]][(int) labels[j]] = Math.round(confusion.apply(i, j));
      }
    }
    List<ClassMetrics> perClass = new ArrayList<>();
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    for (int c = 0; c < k; c++) {
      long support = Arrays.stream(counts[c]).sum();
      // MLlib knows only the classes that occur as labels; a class that never does scores 0.
      boolean present = support > 0;
      ClassMetrics one = new ClassMetrics(classNames.get(c), present ? metrics.precision(c) : 0,
          present ? metrics.recall(c) : 0, present ? metrics.fMeasure(c) : 0, support);
      perClass.add(one);
      precision += one.precision();
      recall += one.recall();
      f1 += one.f1();
    }
    long total = Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    return new ModelMetrics(model, total, metrics.accuracy(),
        new Average(precision / k, recall / k, f1 / k),
        new Average(metrics.weightedPrecision(), metrics.weightedRecall(), metrics.weightedFMeasure()),
        perClass, counts, training.trainSeconds(), training.inferenceImagesPerSecond(),
        training.validationAccuracy(), training.chosenParams(), null);
  }

  /** These metrics completed with the evaluate stage's {@link Diagnostics}. */
  public ModelMetrics withDiagnostics(Diagnostics computed) {
    return new ModelMetrics(model, testImages, accuracy, macro, weighted, perClass, confusionMatrix, trainSeconds,
        inferenceImagesPerSecond, validationAccuracy, chosenParams, computed);
  }

  /** Writes the metrics as JSON to {@code path}. */
  public void write(Path path, Configuration conf) {
    HadoopFiles.writeJson(path, this, conf);
  }

  /** Reads metrics written by {@link #write}. */
  public static ModelMetrics read(Path path, Configuration conf) {
    return HadoopFiles.readJson(path, ModelMetrics.class, conf);
  }
}
