package io.fmnist.classical;

import io.fmnist.data.ImagePixels;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.VectorMapper;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Histograms of oriented gradients (Dalal and Triggs) of image bytes: unsigned orientations in
 * {@code bins} bins per square cell of {@code cellSize} pixels, interpolated between neighbouring
 * bins, then L2-Hys normalised over overlapping blocks of 2 x 2 cells. Gradient and shape
 * descriptors are what lift linear models and forests on Fashion-MNIST well above raw pixels.
 * Colour images (channels last) are described by their luminance, or with {@code colour}
 * {@code per-channel} by each channel's descriptor in turn.
 */
public final class HogFeatures extends VectorMapper<HogFeatures> {

  private static final long serialVersionUID = 1L;
  private static final int BLOCK = 2;
  private static final double CLIP = 0.2;
  private static final double EPSILON = 1e-6;

  private final IntParam rows = new IntParam(this, "rows", "image rows");
  private final IntParam cols = new IntParam(this, "cols", "image columns");
  private final IntParam cellSize = new IntParam(this, "cellSize", "cell width and height in pixels");
  private final IntParam bins = new IntParam(this, "bins", "orientation bins over 0..180 degrees");
  private final IntParam channels = new IntParam(this, "channels", "channels per pixel (last)");
  private final Param<String> colour = new Param<>(this, "colour",
      "how colour images are described: luminance, or per-channel");

  public HogFeatures() {
    this(Identifiable.randomUID("hog"));
  }

  public HogFeatures(String uid) {
    super(uid);
    setDefault(inputCol(), ParquetLayout.IMAGE);
    setDefault(outputCol(), "hog");
    setDefault(cellSize, 4);
    setDefault(bins, 9);
    setDefault(channels, 1);
    setDefault(colour, LUMINANCE);
  }

  public static final String LUMINANCE = "luminance";
  public static final String PER_CHANNEL = "per-channel";

  public HogFeatures setShape(int rowCount, int colCount) {
    set(rows, rowCount);
    set(cols, colCount);
    return this;
  }

  /** Colour images: {@code count} channels, described by {@code how} ({@link #LUMINANCE} or {@link #PER_CHANNEL}). */
  public HogFeatures setColour(int count, String how) {
    if (!LUMINANCE.equals(how) && !PER_CHANNEL.equals(how)) {
      throw new IllegalArgumentException("colour must be " + LUMINANCE + " or " + PER_CHANNEL + ", not " + how);
    }
    set(channels, count);
    set(colour, how);
    return this;
  }

  public HogFeatures setCellSize(int value) {
    set(cellSize, value);
    return this;
  }

  public HogFeatures setBins(int value) {
    set(bins, value);
    return this;
  }

  public IntParam rows() {
    return rows;
  }

  public IntParam cols() {
    return cols;
  }

  public IntParam channels() {
    return channels;
  }

  public Param<String> colour() {
    return colour;
  }

  public IntParam cellSize() {
    return cellSize;
  }

  public IntParam bins() {
    return bins;
  }

  @Override
  protected DataType inputType() {
    return DataTypes.BinaryType;
  }

  @Override
  protected int outputSize() {
    return new Geometry(get(rows), get(cols), get(cellSize), get(bins)).size() * planes();
  }

  @Override
  protected UDF1<byte[], Vector> mapper() {
    Geometry geometry = new Geometry(get(rows), get(cols), get(cellSize), get(bins));
    int count = get(channels);
    int planes = planes();
    int expected = get(rows) * get(cols) * count;
    return image -> {
      if (image.length != expected) {
        throw new IllegalArgumentException("image of " + image.length + " bytes, expected " + expected);
      }
      if (planes == 1) {
        return Vectors.dense(geometry.describe(ImagePixels.luminance(image, count)));
      }
      double[] out = new double[geometry.size() * planes];
      for (int c = 0; c < planes; c++) {
        System.arraycopy(geometry.describe(ImagePixels.channel(image, count, c)), 0, out, c * geometry.size(),
            geometry.size());
      }
      return Vectors.dense(out);
    };
  }

  /** How many grey planes are described: 1, or every channel's. */
  private int planes() {
    return PER_CHANNEL.equals(getOrDefault(colour)) ? get(channels) : 1;
  }

  private int get(IntParam param) {
    return (Integer) getOrDefault(param);
  }

  /** The descriptor's shape and the computation itself; serializable, so the UDF captures only this. */
  record Geometry(int rows, int cols, int cell, int bins) implements java.io.Serializable {

    int cellsY() {
      return rows / cell;
    }

    int cellsX() {
      return cols / cell;
    }

    int size() {
      return (cellsY() - BLOCK + 1) * (cellsX() - BLOCK + 1) * BLOCK * BLOCK * bins;
    }

    /** The descriptor of a grey image of rows x cols bytes. */
    double[] describe(byte[] image) {
      double[][][] histograms = cellHistograms(image);
      double[] out = new double[size()];
      int blockLength = BLOCK * BLOCK * bins;
      int at = 0;
      for (int by = 0; by + BLOCK <= cellsY(); by++) {
        for (int bx = 0; bx + BLOCK <= cellsX(); bx++) {
          for (int dy = 0; dy < BLOCK; dy++) {
            for (int dx = 0; dx < BLOCK; dx++) {
              System.arraycopy(histograms[by + dy][bx + dx], 0, out, at + (dy * BLOCK + dx) * bins, bins);
            }
          }
          normaliseL2Hys(out, at, blockLength);
          at += blockLength;
        }
      }
      return out;
    }

    private double[][][] cellHistograms(byte[] image) {
      double[][][] histograms = new double[cellsY()][cellsX()][bins];
      double binWidth = Math.PI / bins;
      for (int y = 0; y < cellsY() * cell; y++) {
        for (int x = 0; x < cellsX() * cell; x++) {
          double gx = pixel(image, y, x + 1) - pixel(image, y, x - 1);
          double gy = pixel(image, y + 1, x) - pixel(image, y - 1, x);
          double magnitude = Math.sqrt(gx * gx + gy * gy);
          if (magnitude == 0) {
            continue;
          }
          double angle = Math.atan2(gy, gx);
          if (angle < 0) {
            angle += Math.PI;
          }
          double position = angle / binWidth - 0.5;
          int low = (int) Math.floor(position);
          double upperShare = position - low;
          double[] histogram = histograms[y / cell][x / cell];
          histogram[Math.floorMod(low, bins)] += magnitude * (1 - upperShare);
          histogram[Math.floorMod(low + 1, bins)] += magnitude * upperShare;
        }
      }
      return histograms;
    }

    /** Pixel value in [0, 1], with the border repeated outside the image. */
    private double pixel(byte[] image, int y, int x) {
      int cy = Math.min(Math.max(y, 0), rows - 1);
      int cx = Math.min(Math.max(x, 0), cols - 1);
      return (image[cy * cols + cx] & 0xff) / 255.0;
    }

    private static void normaliseL2Hys(double[] v, int from, int length) {
      for (int pass = 0; pass < 2; pass++) {
        double sum = EPSILON * EPSILON;
        for (int i = from; i < from + length; i++) {
          sum += v[i] * v[i];
        }
        double norm = Math.sqrt(sum);
        for (int i = from; i < from + length; i++) {
          v[i] = pass == 0 ? Math.min(v[i] / norm, CLIP) : v[i] / norm;
        }
      }
    }
  }

  public static MLReader<HogFeatures> read() {
    return new DefaultParamsReader<>();
  }

  public static HogFeatures load(String path) {
    return read().load(path);
  }
}
