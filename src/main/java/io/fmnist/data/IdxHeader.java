package io.fmnist.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The header of an IDX file: element type and dimension sizes (big-endian, DESIGN.md "Data").
 * The first dimension counts records; the rest give the shape of one record: rows, cols and, in
 * an idx4 image file, channels (last, so the bytes are row-major with the channels last).
 */
public record IdxHeader(int type, long[] dims) implements Serializable {

  /** Element type code of unsigned bytes, the only type images and labels use. */
  public static final int UNSIGNED_BYTE = 0x08;

  /** Number of records (images or labels). */
  public long count() {
    return dims[0];
  }

  /** Bytes of one record: rows x cols (x channels) for images, 1 for labels. */
  public int recordBytes() {
    long bytes = 1;
    for (int i = 1; i < dims.length; i++) {
      bytes *= dims[i];
    }
    return Math.toIntExact(bytes);
  }

  /** Bytes before the first record: magic plus one 32-bit size per dimension. */
  public long headerBytes() {
    return 4L + 4L * dims.length;
  }

  /** Size of the whole (decompressed) file that this header describes. */
  public long fileBytes() {
    return headerBytes() + count() * recordBytes();
  }

  /** The sizes as the file gives them, for messages: {@code 60000 x 28 x 28}. */
  public String shape() {
    return String.join(" x ", Arrays.stream(dims).mapToObj(Long::toString).toList());
  }
}
