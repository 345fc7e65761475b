package io.fmnist.deep;

import io.fmnist.data.ImageSize;
import java.io.Serializable;

/**
 * What a network sees: {@code rows x cols} images of {@code channels} channels (NCHW, while the
 * data set's bytes are channels last) and {@code classes} classes. Models saved before colour
 * support record no channels and read as grey.
 */
public record ImageShape(int rows, int cols, int channels, int classes) implements Serializable {

  public ImageShape {
    channels = Math.max(channels, 1);
  }

  /** Grey images. */
  public ImageShape(int rows, int cols, int classes) {
    this(rows, cols, 1, classes);
  }

  public static ImageShape of(ImageSize size, int classes) {
    return new ImageShape(size.rows(), size.cols(), size.channels(), classes);
  }

  /** The image size in the data set's terms. */
  public ImageSize size() {
    return ImageSize.of(rows, cols, channels);
  }

  /** Values per image. */
  public int pixels() {
    return rows * cols * channels;
  }

  /** The NCHW shape of {@code n} images. */
  public long[] batch(long n) {
    return new long[] {n, channels, rows, cols};
  }

  /**
   * Value of channel {@code c} at {@code (row, col)} of a channels-last image, scaled to [0, 1];
   * the network's input holds it at {@code c * rows * cols + row * cols + col}.
   */
  float value(byte[] image, int row, int col, int c) {
    return (image[(row * cols + col) * channels + c] & 0xFF) / 255f;
  }
}
