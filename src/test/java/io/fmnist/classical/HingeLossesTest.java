package io.fmnist.classical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.data.FashionMnist;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every class's hinge loss and gradient over a block of real images against the textbook sums,
 * where most (row, class) pairs are inside the margin (the matrix-product gradient) and where few
 * are (the row-by-row one).
 */
class HingeLossesTest {

  private static final int CLASSES = 10;

  @Test
  void bothGradientsGiveTheTextbookSums() {
    List<byte[]> images = FashionMnist.trainImages(120);
    int[] labels = FashionMnist.trainLabels(120);
    int rows = images.size();
    int features = images.get(0).length;
    double[] values = new double[rows * features];
    double[] scaledMean = new double[features];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < features; j++) {
        values[r * features + j] = (images.get(r)[j] & 0xff) / 255.0;
        scaledMean[j] += values[r * features + j] / rows;
      }
    }
    HingeLosses.Block block = new HingeLosses.Block(labels, values);
    Random random = new Random(3);
    // Intercepts 0: every margin near 0, every pair inside. Intercepts -5: every class says "not
    // mine", so only the pairs of each image's own class are inside.
    for (double intercept : new double[] {0, -5}) {
      double[] coefficients = new double[CLASSES * (features + 1)];
      for (int i = 0; i < coefficients.length; i++) {
        coefficients[i] = i % (features + 1) == features ? intercept : 1e-3 * random.nextGaussian();
      }
      HingeLosses losses = new HingeLosses(features, CLASSES, true).add(block, coefficients, scaledMean);
      int inside = 0;
      for (int k = 0; k < CLASSES; k++) {
        double loss = 0;
        double[] gradient = new double[features + 1];
        for (int r = 0; r < rows; r++) {
          double sign = labels[r] == k ? 1 : -1;
          double margin = coefficients[k * (features + 1) + features];
          for (int j = 0; j < features; j++) {
            margin += coefficients[k * (features + 1) + j] * (values[r * features + j] - scaledMean[j]);
          }
          if (1 - sign * margin > 0) {
            inside++;
            loss += 1 - sign * margin;
            for (int j = 0; j < features; j++) {
              gradient[j] -= sign * (values[r * features + j] - scaledMean[j]);
            }
            gradient[features] -= sign;
          }
        }
        assertEquals(loss / rows, losses.loss(k), 1e-9 * Math.max(1, loss), "loss of class " + k);
        double[] actual = losses.gradient(k);
        for (int j = 0; j <= features; j++) {
          assertEquals(gradient[j] / rows, actual[j], 1e-9, "gradient of class " + k + ", feature " + j);
        }
      }
      double fraction = inside / (double) (rows * CLASSES);
      assertTrue(intercept == 0 ? fraction > 0.9 : fraction < 0.25,
          "intercepts " + intercept + ": " + fraction + " of the pairs inside the margin");
    }
  }
}
