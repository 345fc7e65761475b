package io.fmnist.explain;

/** Resampling and scaling of Grad-CAM heatmaps. */
final class Heatmaps {

  private Heatmaps() {}

  /**
   * Bilinear upsampling of {@code map} to {@code rows x cols}, aligning the centres of the corner
   * cells with the centres of the corner pixels (as {@code align_corners=False} does).
   */
  static double[][] bilinear(double[][] map, int rows, int cols) {
    int h = map.length;
    int w = map[0].length;
    double[][] out = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      double y = Math.min(Math.max((r + 0.5) * h / rows - 0.5, 0), h - 1);
      int y0 = (int) Math.floor(y);
      int y1 = Math.min(y0 + 1, h - 1);
      double fy = y - y0;
      for (int c = 0; c < cols; c++) {
        double x = Math.min(Math.max((c + 0.5) * w / cols - 0.5, 0), w - 1);
        int x0 = (int) Math.floor(x);
        int x1 = Math.min(x0 + 1, w - 1);
        double fx = x - x0;
        out[r][c] = (1 - fy) * ((1 - fx) * map[y0][x0] + fx * map[y0][x1])
            + fy * ((1 - fx) * map[y1][x0] + fx * map[y1][x1]);
      }
    }
    return out;
  }

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
