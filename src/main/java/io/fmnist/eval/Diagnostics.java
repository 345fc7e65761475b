package io.fmnist.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model's per-class scores say beyond its predictions: top-2 accuracy, calibration (a
 * reliability diagram and the expected calibration error, for models that give probabilities) and,
 * per confusion cell, the misclassified test images the report's explorer shows, most confident
 * first.
 *
 * @param probabilities whether the scores are probabilities (else raw margins: no calibration)
 * @param expectedCalibrationError the image-weighted mean of |accuracy - confidence| over the bins,
 *     or null without probabilities
 * @param reliability equal-width bins of the top probability (empty without probabilities)
 * @param misclassified by cell {@code "true,predicted"}: up to {@code examplesPerCell} images
 */
public record Diagnostics(
    boolean probabilities,
    double top2Accuracy,
    Double expectedCalibrationError,
    List<Bin> reliability,
    int examplesPerCell,
    Map<String, List<Example>> misclassified) {

  /** Bins of the reliability diagram, as is usual for ten classes. */
  static final int BINS = 10;

  /** Confidences in {@code [low, high)}: how many images, their mean confidence, and how many were right. */
  public record Bin(double low, double high, long images, double meanConfidence, double accuracy) {}

  /** A misclassified image: its id and the model's score for the class it predicted. */
  public record Example(long id, double confidence) {}

  /** The key of a confusion cell in {@link #misclassified}. */
  public static String cell(int trueClass, int predictedClass) {
    return trueClass + "," + predictedClass;
  }

  /**
   * @param ids the test images' ids
   * @param labels their true classes
   * @param predictions the model's predicted classes, those of its confusion matrix
   * @param scores their per-class scores (row per image), highest at the predicted class
   */
  static Diagnostics of(long[] ids, int[] labels, int[] predictions, double[][] scores, boolean probabilities,
      int examplesPerCell) {
    int n = labels.length;
    long top2 = 0;
    long[] binImages = new long[BINS];
    double[] binConfidence = new double[BINS];
    long[] binRight = new long[BINS];
    Map<String, List<Example>> wrong = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      int predicted = predictions[i];
      int second = -1;
      for (int c = 0; c < scores[i].length; c++) {
        if (c != predicted && (second < 0 || scores[i][c] > scores[i][second])) {
          second = c;
        }
      }
      boolean right = labels[i] == predicted;
      top2 += right || labels[i] == second ? 1 : 0;
      double confidence = scores[i][predicted];
      if (probabilities) {
        int bin = Math.min(BINS - 1, Math.max(0, (int) (confidence * BINS)));
        binImages[bin]++;
        binConfidence[bin] += confidence;
        binRight[bin] += right ? 1 : 0;
      }
      if (!right) {
        wrong.computeIfAbsent(cell(labels[i], predicted), key -> new ArrayList<>()).add(new Example(ids[i], confidence));
      }
    }
    Map<String, List<Example>> examples = new LinkedHashMap<>();
    wrong.forEach((cell, list) -> examples.put(cell, list.stream()
        .sorted(Comparator.comparingDouble(Example::confidence).reversed().thenComparingLong(Example::id))
        .limit(examplesPerCell).toList()));
    List<Bin> bins = new ArrayList<>();
    Double ece = null;
    if (probabilities) {
      double gap = 0;
      for (int b = 0; b < BINS; b++) {
        double mean = binImages[b] == 0 ? 0 : binConfidence[b] / binImages[b];
        double accuracy = binImages[b] == 0 ? 0 : (double) binRight[b] / binImages[b];
        bins.add(new Bin((double) b / BINS, (double) (b + 1) / BINS, binImages[b], mean, accuracy));
        gap += binImages[b] * Math.abs(accuracy - mean);
      }
      ece = gap / n;
    }
    return new Diagnostics(probabilities, (double) top2 / n, ece, bins, examplesPerCell, examples);
  }
}
