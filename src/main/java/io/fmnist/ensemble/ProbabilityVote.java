package io.fmnist.ensemble;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weighted mean of base models' class probabilities, the two baselines a stacker must beat: the
 * plain average of every base (soft vote), and Caruana et al.'s ensemble selection, which adds,
 * round by round and with replacement, the base that most improves the validation accuracy of the
 * mean so far (ties: the lower validation log-loss), so that a weight is how often a base was picked.
 */
record ProbabilityVote(Map<String, Integer> weights) {

  static ProbabilityVote uniform(List<String> bases) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    bases.forEach(base -> weights.put(base, 1));
    return new ProbabilityVote(weights);
  }

  /**
   * Ensemble selection on the validation predictions: {@code probabilities.get(base)[i]} is the
   * base's probabilities of image {@code i}, {@code labels[i]} its label.
   */
  static ProbabilityVote select(Map<String, double[][]> probabilities, int[] labels, int rounds) {
    int n = labels.length;
    int classes = probabilities.values().iterator().next()[0].length;
    double[][] sum = new double[n][classes];
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      String best = null;
      double bestAccuracy = -1;
      double bestLoss = Double.POSITIVE_INFINITY;
      for (var base : probabilities.entrySet()) {
        double[] quality = quality(sum, base.getValue(), round, labels);
        if (quality[0] > bestAccuracy || quality[0] == bestAccuracy && quality[1] < bestLoss) {
          best = base.getKey();
          bestAccuracy = quality[0];
          bestLoss = quality[1];
        }
      }
      double[][] picked = probabilities.get(best);
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < classes; c++) {
          sum[i][c] += picked[i][c];
        }
      }
      weights.merge(best, 1, Integer::sum);
    }
    return new ProbabilityVote(weights);
  }

  /** Accuracy and log-loss of (sum + added) / members. */
  private static double[] quality(double[][] sum, double[][] added, int members, int[] labels) {
    long correct = 0;
    double loss = 0;
    for (int i = 0; i < labels.length; i++) {
      int arg = 0;
      double max = -1;
      for (int c = 0; c < added[i].length; c++) {
        double p = (sum[i][c] + added[i][c]) / members;
        if (p > max) {
          max = p;
          arg = c;
        }
      }
      correct += arg == labels[i] ? 1 : 0;
      loss -= Math.log(Math.max(1e-12, (sum[i][labels[i]] + added[i][labels[i]]) / members));
    }
    return new double[] {(double) correct / labels.length, loss / labels.length};
  }

  /** The weighted mean of {@code probabilities} (each base's, image by image) for every image. */
  double[][] apply(Map<String, double[][]> probabilities) {
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    double[][] mean = null;
    for (var weight : weights.entrySet()) {
      double[][] base = probabilities.get(weight.getKey());
      if (mean == null) {
        mean = new double[base.length][base[0].length];
      }
      for (int i = 0; i < base.length; i++) {
        for (int c = 0; c < base[i].length; c++) {
          mean[i][c] += weight.getValue() * base[i][c] / total;
        }
      }
    }
    return mean;
  }

  List<String> bases() {
    return new ArrayList<>(weights.keySet());
  }
}
