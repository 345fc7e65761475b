package io.fmnist.explain;

import io.fmnist.data.ImageSize;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The seed notebook's Grad-CAM figure as a PNG: the image, the heatmap, and the heatmap over the
 * image, side by side, each upscaled by an integer factor (nearest neighbour, so pixels stay
 * visible), captioned with the true and predicted classes and the confidence.
 */
final class GradCamFigure {

  private static final int GAP = 12;
  private static final int CAPTION = 44;

  private GradCamFigure() {}

  /** {@code image} channels-last unsigned bytes of {@code size} (grey or RGB); {@code heatmap} in [0, 1]. */
  static byte[] png(byte[] image, ImageSize size, double[][] heatmap, int upscale, String caption) {
    int rows = heatmap.length;
    int cols = heatmap[0].length;
    int panel = cols * upscale;
    BufferedImage figure = new BufferedImage(3 * panel + 4 * GAP, rows * upscale + CAPTION + 2 * GAP,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = figure.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, figure.getWidth(), figure.getHeight());
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int rgb = rgb(image, size, r, c);
        int heat = jet(heatmap[r][c]);
        int blended = blend(rgb, heat, 0.45);
        fill(g, GAP, GAP, r, c, upscale, new Color(rgb));
        fill(g, 2 * GAP + panel, GAP, r, c, upscale, new Color(heat));
        fill(g, 3 * GAP + 2 * panel, GAP, r, c, upscale, new Color(blended));
      }
    }
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
    int y = GAP + rows * upscale + 20;
    g.drawString("original", GAP, y);
    g.drawString("Grad-CAM", 2 * GAP + panel, y);
    g.drawString("superimposed", 3 * GAP + 2 * panel, y);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(caption, GAP, y + 20);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(figure, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    }
    return out.toByteArray();
  }

  private static void fill(Graphics2D g, int x0, int y0, int r, int c, int upscale, Color color) {
    g.setColor(color);
    g.fillRect(x0 + c * upscale, y0 + r * upscale, upscale, upscale);
  }

  /** The "jet" colour map: blue (0) through cyan, yellow to red (1), as RGB. */
  static int jet(double v) {
    double x = Math.min(1, Math.max(0, v));
    int red = channel(1.5 - Math.abs(4 * x - 3));
    int green = channel(1.5 - Math.abs(4 * x - 2));
    int blue = channel(1.5 - Math.abs(4 * x - 1));
    return (red << 16) | (green << 8) | blue;
  }

  private static int channel(double v) {
    return (int) Math.round(255 * Math.min(1, Math.max(0, v)));
  }

  /** The pixel at {@code (r, c)} as RGB; a grey one has three equal channels. */
  private static int rgb(byte[] image, ImageSize size, int r, int c) {
    int at = (r * size.cols() + c) * size.channels();
    int red = image[at] & 0xFF;
    return size.channels() == 1 ? red << 16 | red << 8 | red
        : red << 16 | (image[at + 1] & 0xFF) << 8 | image[at + 2] & 0xFF;
  }

  /** {@code alpha} of {@code over} on {@code under}, channel by channel. */
  private static int blend(int under, int over, double alpha) {
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int mixed = (int) Math.round((1 - alpha) * ((under >> shift) & 0xFF) + alpha * ((over >> shift) & 0xFF));
      out |= mixed << shift;
    }
    return out;
  }
}
