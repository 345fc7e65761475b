package io.fmnist.deep;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * Images of one size in one byte array, read back one copy at a time. A worker holds its
 * partition's images for a whole epoch: as one array per image (tens of thousands of small objects)
 * every young collection copied them again until they reached the old generation, at each epoch;
 * one array of that size sits in a region of its own that the collector never copies and frees at
 * once when the epoch is done.
 */
final class PackedImages extends AbstractList<byte[]> implements RandomAccess {

  private final byte[] bytes;
  private final int imageBytes;
  private final int size;

  private PackedImages(byte[] bytes, int imageBytes, int size) {
    this.bytes = bytes;
    this.imageBytes = imageBytes;
    this.size = size;
  }

  /** {@code images}, all of the same length, packed. */
  static PackedImages of(List<byte[]> images) {
    int imageBytes = images.isEmpty() ? 0 : images.get(0).length;
    byte[] bytes = new byte[Math.multiplyExact(images.size(), imageBytes)];
    for (int i = 0; i < images.size(); i++) {
      byte[] image = images.get(i);
      if (image.length != imageBytes) {
        throw new IllegalArgumentException("image " + i + " has " + image.length + " bytes, not " + imageBytes);
      }
      System.arraycopy(image, 0, bytes, i * imageBytes, imageBytes);
    }
    return new PackedImages(bytes, imageBytes, images.size());
  }

  /** A copy of image {@code index}. */
  @Override
  public byte[] get(int index) {
    int from = Objects.checkIndex(index, size) * imageBytes;
    return Arrays.copyOfRange(bytes, from, from + imageBytes);
  }

  @Override
  public int size() {
    return size;
  }
}
