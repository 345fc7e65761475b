package io.fmnist.explain;

/** Scaling of Grad-CAM heatmaps. */
final class Heatmaps {

  private Heatmaps() {}

  /** {@code map} scaled in place so that its maximum is 1 (left as is when nothing is positive). */
  static double[][] normalised(double[][] map) {
    double max = 0;
    for (double[] row : map) {
      for (double v : row) {
        max = Math.max(max, v);
      }
    }
    if (max > 0) {
      for (double[] row : map) {
        for (int c = 0; c < row.length; c++) {
          row[c] /= max;
        }
      }
    }
    return map;
  }
}
