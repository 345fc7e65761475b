package io.fmnist.data;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** Image bytes (the Parquet {@code image} column) to a dense vector of pixels scaled to [0, 1]. */
public final class ImageToVector extends VectorMapper<ImageToVector> {

  private static final long serialVersionUID = 1L;

  private final IntParam size = new IntParam(this, "size", "pixels per image (rows x cols)");

  public ImageToVector() {
    this(Identifiable.randomUID("imageToVector"));
  }

  public ImageToVector(String uid) {
    super(uid);
    setDefault(inputCol(), ParquetLayout.IMAGE);
    setDefault(outputCol(), "pixels");
  }

  public IntParam size() {
    return size;
  }

  public ImageToVector setSize(int value) {
    set(size, value);
    return this;
  }

  @Override
  protected DataType inputType() {
    return DataTypes.BinaryType;
  }

  @Override
  protected int outputSize() {
    return (Integer) getOrDefault(size);
  }

  @Override
  protected UDF1<byte[], Vector> mapper() {
    int expected = outputSize();
    return image -> {
      if (image.length != expected) {
        throw new IllegalArgumentException("image of " + image.length + " bytes, expected " + expected);
      }
      return Vectors.dense(pixels(image));
    };
  }

  /** Unsigned bytes to doubles in [0, 1]. */
  public static double[] pixels(byte[] image) {
    double[] values = new double[image.length];
    for (int i = 0; i < image.length; i++) {
      values[i] = (image[i] & 0xff) / 255.0;
    }
    return values;
  }

  public static MLReader<ImageToVector> read() {
    return new DefaultParamsReader<>();
  }

  public static ImageToVector load(String path) {
    return read().load(path);
  }
}
