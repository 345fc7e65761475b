package io.fmnist.classical;

import io.fmnist.data.VectorMapper;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;

/**
 * Random Fourier features (Rahimi and Recht): {@code sqrt(2/D) cos(Wx + b)} with W drawn from
 * N(0, 2 gamma) and b from U(0, 2 pi), so that a linear model on them approximates an RBF-kernel
 * model with that gamma. W and b are drawn from the seed, so the parameters alone save the map.
 */
public final class RandomFourierFeatures extends VectorMapper<RandomFourierFeatures> {

  private static final long serialVersionUID = 1L;

  private final IntParam dim = new IntParam(this, "dim", "number of output features D");
  private final IntParam inputSize = new IntParam(this, "inputSize", "length of the input vectors");
  private final DoubleParam gamma = new DoubleParam(this, "gamma", "RBF kernel width: k(x,y) = exp(-gamma |x-y|^2)");
  private final LongParam seed = new LongParam(this, "seed", "seed of W and b");

  public RandomFourierFeatures() {
    this(Identifiable.randomUID("fourier"));
  }

  public RandomFourierFeatures(String uid) {
    super(uid);
    setDefault(outputCol(), "fourier");
  }

  public RandomFourierFeatures setDim(int value) {
    set(dim, value);
    return this;
  }

  public RandomFourierFeatures setInputSize(int value) {
    set(inputSize, value);
    return this;
  }

  public RandomFourierFeatures setGamma(double value) {
    set(gamma, value);
    return this;
  }

  public RandomFourierFeatures setSeed(long value) {
    set(seed, value);
    return this;
  }

  public IntParam dim() {
    return dim;
  }

  public IntParam inputSize() {
    return inputSize;
  }

  public DoubleParam gamma() {
    return gamma;
  }

  public LongParam seed() {
    return seed;
  }

  @Override
  protected DataType inputType() {
    return SQLDataTypes.VectorType();
  }

  @Override
  protected int outputSize() {
    return (Integer) getOrDefault(dim);
  }

  @Override
  protected UDF1<Vector, Vector> mapper() {
    Projection map = new Projection((Integer) getOrDefault(dim), (Integer) getOrDefault(inputSize),
        (Double) getOrDefault(gamma), (Long) getOrDefault(seed));
    return map::apply;
  }

  /** The drawn map; W and b are drawn again on each executor from the seed, never shipped. */
  private static final class Projection implements java.io.Serializable {
    private final int dim;
    private final int inputSize;
    private final double gamma;
    private final long seed;
    private transient double[] weights;
    private transient double[] offsets;

    Projection(int dim, int inputSize, double gamma, long seed) {
      this.dim = dim;
      this.inputSize = inputSize;
      this.gamma = gamma;
      this.seed = seed;
    }

    Vector apply(Vector x) {
      if (x.size() != inputSize) {
        throw new IllegalArgumentException("input of " + x.size() + " features, expected " + inputSize);
      }
      draw();
      double[] in = x.toArray();
      double[] out = new double[dim];
      double scale = Math.sqrt(2.0 / dim);
      for (int j = 0; j < dim; j++) {
        double dot = offsets[j];
        int row = j * inputSize;
        for (int i = 0; i < inputSize; i++) {
          dot += weights[row + i] * in[i];
        }
        out[j] = scale * Math.cos(dot);
      }
      return Vectors.dense(out);
    }

    private synchronized void draw() {
      if (weights != null) {
        return;
      }
      SplittableRandom random = new SplittableRandom(seed);
      double sigma = Math.sqrt(2 * gamma);
      double[] w = new double[dim * inputSize];
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextGaussian() * sigma;
      }
      double[] b = new double[dim];
      for (int j = 0; j < dim; j++) {
        b[j] = random.nextDouble() * 2 * Math.PI;
      }
      offsets = b;
      weights = w;
    }
  }

  public static MLReader<RandomFourierFeatures> read() {
    return new DefaultParamsReader<>();
  }

  public static RandomFourierFeatures load(String path) {
    return read().load(path);
  }
}
