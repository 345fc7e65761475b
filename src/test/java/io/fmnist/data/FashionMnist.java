package io.fmnist.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The real Fashion-MNIST files for tests (fetched by scripts/fetch-data.sh before the tests run),
 * read independently of the code under test, and small real subsets written as IDX folders.
 */
public final class FashionMnist {

  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private FashionMnist() {}

  /** The folder with the four official .gz files. */
  public static Path dir() {
    Path dir = Path.of(System.getProperty("fmnist.data.dir", "data/fashion-mnist"));
    assertTrue(Files.isRegularFile(dir.resolve(TRAIN_IMAGES + ".gz")),
        "Fashion-MNIST is missing in " + dir + "; run scripts/fetch-data.sh");
    return dir;
  }

  /** The whole decompressed content of one official file, read with nothing but java.util.zip. */
  public static byte[] decompressed(String name) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dir().resolve(name + ".gz")))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first {@code count} training images, 784 row-major bytes each. */
  public static List<byte[]> trainImages(int count) {
    byte[] idx = decompressed(TRAIN_IMAGES);
    List<byte[]> images = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      images.add(Arrays.copyOfRange(idx, 16 + i * 784, 16 + (i + 1) * 784));
    }
    return images;
  }

  /** The first {@code count} training labels. */
  public static int[] trainLabels(int count) {
    byte[] idx = decompressed(TRAIN_LABELS);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = idx[8 + i];
    }
    return labels;
  }

  /**
   * Writes the first {@code trainCount} training and {@code testCount} test records of the real
   * files as a new IDX folder, raw or gzip.
   */
  public static Path subset(Path dir, int trainCount, int testCount, boolean gzip) {
    try {
      Files.createDirectories(dir);
      byte[] trainImages = decompressed(TRAIN_IMAGES);
      byte[] trainLabels = decompressed(TRAIN_LABELS);
      byte[] testImages = decompressed(TEST_IMAGES);
      byte[] testLabels = decompressed(TEST_LABELS);
      write(dir, TRAIN_IMAGES, gzip, firstImages(trainImages, trainCount));
      write(dir, TRAIN_LABELS, gzip, firstLabels(trainLabels, trainCount));
      write(dir, TEST_IMAGES, gzip, firstImages(testImages, testCount));
      write(dir, TEST_LABELS, gzip, firstLabels(testLabels, testCount));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An idx3 file of the first {@code count} images of {@code idx}, 28x28. */
  public static byte[] firstImages(byte[] idx, int count) {
    return idx(new int[] {count, 28, 28}, 0x08, idx, 16, count * 784);
  }

  /** An idx1 file of the first {@code count} labels of {@code idx}. */
  public static byte[] firstLabels(byte[] idx, int count) {
    return idx(new int[] {count}, 0x08, idx, 8, count);
  }

  /** An IDX file with the given header and {@code length} data bytes copied from {@code from} at {@code offset}. */
  public static byte[] idx(int[] dims, int type, byte[] from, int offset, int length) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(new byte[] {0, 0, (byte) type, (byte) dims.length});
      for (int dim : dims) {
        out.writeInt(dim);
      }
      out.write(from, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes {@code content} as {@code dir/name}, or gzip-compressed as {@code dir/name.gz}. */
  public static Path write(Path dir, String name, boolean gzip, byte[] content) throws IOException {
    Path file = dir.resolve(gzip ? name + ".gz" : name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
    return file;
  }

  /** The 32-bit big-endian value at {@code offset}. */
  public static int intAt(byte[] idx, int offset) throws IOException {
    return new DataInputStream(new java.io.ByteArrayInputStream(idx, offset, 4)).readInt();
  }
}
