package io.fmnist.data;

import java.awt.image.BufferedImage;

/**
 * Conversions of image bytes (row-major, channels last, as the Parquet layout holds them): from
 * Spark's image data source (OpenCV order: grey, BGR or BGRA) to grey or RGB, bilinear resizing,
 * luminance, and one channel's plane.
 */
public final class ImagePixels {

  private ImagePixels() {}

  /**
   * Spark's decoded image ({@code nChannels} 1 grey, 3 BGR, 4 BGRA) as {@code channels} (1 grey
   * by luminance, 3 RGB) channels-last bytes of the same size; alpha is dropped.
   */
  public static byte[] fromSparkImage(byte[] data, int height, int width, int nChannels, int channels) {
    int n = height * width;
    byte[] out = new byte[n * channels];
    for (int i = 0; i < n; i++) {
      if (nChannels == 1) {
        for (int c = 0; c < channels; c++) {
          out[i * channels + c] = data[i];
        }
        continue;
      }
      int blue = data[i * nChannels] & 0xff;
      int green = data[i * nChannels + 1] & 0xff;
      int red = data[i * nChannels + 2] & 0xff;
      if (channels == 1) {
        out[i] = (byte) luminance(red, green, blue);
      } else {
        out[i * 3] = (byte) red;
        out[i * 3 + 1] = (byte) green;
        out[i * 3 + 2] = (byte) blue;
      }
    }
    return out;
  }

  /** Channels-last bytes of {@code size} (grey or RGB) as an AWT image, to draw or encode. */
  public static BufferedImage toImage(byte[] pixels, ImageSize size) {
    BufferedImage image = new BufferedImage(size.cols(), size.rows(),
        size.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    int[] samples = new int[pixels.length];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = pixels[i] & 0xff;
    }
    image.getRaster().setPixels(0, 0, size.cols(), size.rows(), samples);
    return image;
  }

  /** ITU-R BT.601 luma of an RGB pixel, 0..255. */
  public static int luminance(int red, int green, int blue) {
    return (int) Math.round(0.299 * red + 0.587 * green + 0.114 * blue);
  }

  /** The grey image of a channels-last one (itself when it has one channel; luminance of RGB). */
  public static byte[] luminance(byte[] image, int channels) {
    if (channels == 1) {
      return image;
    }
    byte[] out = new byte[image.length / channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) luminance(image[i * channels] & 0xff, image[i * channels + 1] & 0xff,
          image[i * channels + 2] & 0xff);
    }
    return out;
  }

  /** Channel {@code c} of a channels-last image, as a grey image. */
  public static byte[] channel(byte[] image, int channels, int c) {
    byte[] out = new byte[image.length / channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = image[i * channels + c];
    }
    return out;
  }

  /** A channels-last image of {@code height x width} resized to {@code rows x cols}, bilinearly. */
  public static byte[] resize(byte[] image, int height, int width, int channels, int rows, int cols) {
    byte[] out = new byte[rows * cols * channels];
    for (int c = 0; c < channels; c++) {
      double[][] plane = new double[height][width];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          plane[y][x] = image[(y * width + x) * channels + c] & 0xff;
        }
      }
      double[][] resized = bilinear(plane, rows, cols);
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          out[(y * cols + x) * channels + c] = (byte) Math.round(Math.min(255, Math.max(0, resized[y][x])));
        }
      }
    }
    return out;
  }

  /**
   * Bilinear resampling of {@code map} to {@code rows x cols}, aligning the centres of the corner
   * cells with the centres of the corner pixels (as {@code align_corners=False} does).
   */
  public static double[][] bilinear(double[][] map, int rows, int cols) {
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
}
