package io.fmnist.data;

/**
 * The size of every image in a set: rows x cols where the source records it (a data set's manifest,
 * an IDX header, a saved model), else only the bytes per image ({@code rows} and {@code cols} 0).
 */
public record ImageSize(int rows, int cols, int bytes) {

  public static ImageSize of(int rows, int cols) {
    return new ImageSize(rows, cols, rows * cols);
  }

  public static ImageSize ofBytes(int bytes) {
    return new ImageSize(0, 0, bytes);
  }

  /** Whether images of this size are what {@code need} takes: the same shape, or the same bytes where one knows no shape. */
  public boolean fits(ImageSize need) {
    return rows > 0 && need.rows > 0 ? rows == need.rows && cols == need.cols : bytes == need.bytes;
  }

  /** "28x28" or "784 bytes per image". */
  @Override
  public String toString() {
    return rows > 0 ? rows + "x" + cols : bytes + " bytes per image";
  }
}
