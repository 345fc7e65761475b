package io.fmnist.data;

/**
 * The size of every image in a set: rows x cols x channels where the source records it (a data
 * set's manifest, an IDX header, a saved model), else only the bytes per image ({@code rows},
 * {@code cols} and {@code channels} 0). Bytes are row-major with the channels last.
 */
public record ImageSize(int rows, int cols, int channels, int bytes) {

  public static ImageSize of(int rows, int cols, int channels) {
    return new ImageSize(rows, cols, channels, rows * cols * channels);
  }

  public static ImageSize ofBytes(int bytes) {
    return new ImageSize(0, 0, 0, bytes);
  }

  /** Whether images of this size are what {@code need} takes: the same shape, or the same bytes where one knows no shape. */
  public boolean fits(ImageSize need) {
    return rows > 0 && need.rows > 0
        ? rows == need.rows && cols == need.cols && channels == need.channels
        : bytes == need.bytes;
  }

  /** "28x28" (one channel), "32x32x3", or "784 bytes per image". */
  @Override
  public String toString() {
    return rows == 0 ? bytes + " bytes per image" : rows + "x" + cols + (channels == 1 ? "" : "x" + channels);
  }
}
