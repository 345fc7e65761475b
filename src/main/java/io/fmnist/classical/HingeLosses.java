package io.fmnist.classical;

import dev.ludovic.netlib.blas.BLAS;
import java.io.Serializable;

/**
 * The one-vs-rest hinge losses of every class over blocks of standardised rows, summed in one
 * pass: what MLlib's {@code HingeBlockAggregator} computes for one binary {@code LinearSVC}, for
 * all classes at once. The margins of a block are one matrix product (rows x features times
 * features x classes) and the gradients another, or, once few rows are inside the classes'
 * margins, the sum of those rows alone, so the pass is bound by arithmetic where ten binary passes
 * are bound by reading the same block ten times.
 *
 * <p>Coefficients are laid out class after class, each {@code features + 1} long with the
 * intercept last (unused without one). As in MLlib, the rows are scaled but not centred (a sparse
 * row stays sparse in MLlib; here it keeps the margins the same to the rounding): the mean is
 * subtracted virtually, through the intercept and the gradient.
 */
final class HingeLosses implements Serializable {

  /** A block of rows: their class indices and their scaled features, row after row. */
  record Block(int[] labels, double[] values) implements Serializable {
    int rows() {
      return labels.length;
    }
  }

  // The row-by-row gradient wins below a quarter of the (row, class) pairs inside the margin: the
  // matrix product is about 3.5x faster per pair at full density (Intel Xeon family 6 model 167).
  private static final int SPARSE_BELOW = 4;

  private final int features;
  private final int classes;
  private final boolean intercept;
  private final double[] lossSum;
  private final double[] gradientSum;
  private long count;
  // Each class's margin offset at the coefficients of this pass, computed once per task: the
  // coefficients are the same for every block a task adds.
  private transient double[] offsets;

  HingeLosses(int features, int classes, boolean intercept) {
    this.features = features;
    this.classes = classes;
    this.intercept = intercept;
    this.lossSum = new double[classes];
    this.gradientSum = new double[classes * (features + 1)];
  }

  /** Adds {@code block}'s losses and gradients at {@code coefficients}, given the scaled means. */
  HingeLosses add(Block block, double[] coefficients, double[] scaledMean) {
    int rows = block.rows();
    int stride = features + 1;
    // margins[r * classes + k]: row r's margin for class k, starting from the intercept less the
    // centring that the rows lack.
    double[] margins = new double[rows * classes];
    if (intercept) {
      if (offsets == null) {
        offsets = new double[classes];
        for (int k = 0; k < classes; k++) {
          offsets[k] = coefficients[k * stride + features]
              - BLAS.getInstance().ddot(features, coefficients, k * stride, 1, scaledMean, 0, 1);
        }
      }
      for (int r = 0; r < rows; r++) {
        System.arraycopy(offsets, 0, margins, r * classes, classes);
      }
    }
    // Column-major, margins is classes x rows = coefficients^T (classes x features) . values
    // (features x rows, which the row-major block already is).
    BLAS.getInstance().dgemm("T", "N", classes, rows, features, 1.0, coefficients, stride,
        block.values(), features, 1.0, margins, classes);
    double[] multiplierSum = new double[classes];
    int active = 0;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < classes; k++) {
        int at = r * classes + k;
        double sign = block.labels()[r] == k ? 1.0 : -1.0;
        double loss = 1.0 - sign * margins[at];
        if (loss > 0) {
          lossSum[k] += loss;
          margins[at] = -sign;
          multiplierSum[k] -= sign;
          active++;
        } else {
          margins[at] = 0.0;
        }
      }
    }
    count += rows;
    // gradient (features x classes) += values (features x rows) . multipliers^T (rows x classes).
    // Once the classes separate, most rows lie outside most classes' margins (multiplier 0): then
    // adding only the rows that are inside beats a matrix product over every row and class.
    if (active * SPARSE_BELOW < rows * classes) {
      addActiveRows(block.values(), margins, rows);
    } else {
      BLAS.getInstance().dgemm("N", "T", features, classes, rows, 1.0, block.values(), features,
          margins, classes, 1.0, gradientSum, stride);
    }
    if (intercept) {
      for (int k = 0; k < classes; k++) {
        BLAS.getInstance().daxpy(features, -multiplierSum[k], scaledMean, 0, 1, gradientSum, k * stride, 1);
        gradientSum[k * stride + features] += multiplierSum[k];
      }
    }
    return this;
  }

  /** gradient(class k) += multiplier(r, k) * row r, for the (row, class) pairs inside the margin. */
  private void addActiveRows(double[] values, double[] multipliers, int rows) {
    int stride = features + 1;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < classes; k++) {
        double multiplier = multipliers[r * classes + k];
        if (multiplier != 0) {
          BLAS.getInstance().daxpy(features, multiplier, values, r * features, 1, gradientSum, k * stride, 1);
        }
      }
    }
  }

  HingeLosses merge(HingeLosses other) {
    for (int k = 0; k < classes; k++) {
      lossSum[k] += other.lossSum[k];
    }
    for (int i = 0; i < gradientSum.length; i++) {
      gradientSum[i] += other.gradientSum[i];
    }
    count += other.count;
    return this;
  }

  /** Class {@code k}'s mean loss over the rows. */
  double loss(int k) {
    return lossSum[k] / count;
  }

  /** Class {@code k}'s mean gradient over the rows, {@code features + 1} long. */
  double[] gradient(int k) {
    double[] mean = new double[features + 1];
    for (int j = 0; j <= features; j++) {
      mean[j] = gradientSum[k * (features + 1) + j] / count;
    }
    return mean;
  }
}
