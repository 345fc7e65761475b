package io.fmnist.deep;

import java.lang.reflect.Field;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's BatchNormalization for NCHW activations, computed along contiguous rows. DL4J
 * 1.0.0-M2.1's oneDNN helper spends most of its time outside oneDNN: it reduces the batch mean and
 * variance over axes (0, 2, 3) with strided reductions, and its backward op also computes
 * gradients of the mean and variance that DL4J never uses. Profiled on one core
 * (scripts/profile-deep.sh), that was 42% of the CNN's training step and 30% of the ResNet's. Here
 * an [N, C, H, W] array is seen as N * C contiguous rows of H * W values: the statistics are row
 * sums then sums over the batch, and every per-channel map is an ND4J scalar op along those rows
 * (one scalar per row). oneDNN's normalisation of plain NCHW data (which this helper used before)
 * runs its generic kernel, 4-10x slower per map at the networks' shapes on one core, and ND4J's
 * per-channel broadcasts run along strided fibres, slower still. The backward pass is the textbook
 * formula written as such sums and maps. {@link #install} puts it into every BatchNormalization
 * layer of a network (the layer's helper field, which DL4J itself fills with the oneDNN helper);
 * anything else (other layouts or data types) declines, and DL4J's built-in code runs.
 */
final class BatchNormHelper implements BatchNormalizationHelper {

  private static final Field HELPER = helperField();

  private INDArray mean;
  private INDArray variance;

  /** Replaces the helper of every BatchNormalization layer in {@code model}. */
  static void install(Model model) {
    Layer[] layers = model instanceof MultiLayerNetwork network ? network.getLayers()
        : ((ComputationGraph) model).getLayers();
    for (Layer layer : layers) {
      if (layer instanceof BatchNormalization) {
        try {
          HELPER.set(layer, new BatchNormHelper());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot set DL4J's BatchNormalization helper", e);
        }
      }
    }
  }

  private static Field helperField() {
    try {
      Field field = BatchNormalization.class.getDeclaredField("helper");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("DL4J's BatchNormalization has no helper field: another DL4J version?", e);
    }
  }

  @Override
  public boolean checkSupported(double eps, boolean fixedGammaBeta) {
    return !fixedGammaBeta;
  }

  @Override
  public boolean checkSupported() {
    return true;
  }

  @Override
  public Map<String, Long> helperMemoryUse() {
    return Map.of();
  }

  @Override
  public INDArray getMeanCache(DataType dataType) {
    return mean;
  }

  @Override
  public INDArray getVarCache(DataType dataType) {
    return variance;
  }

  private static boolean supported(INDArray x, CNN2DFormat format) {
    return x.rank() == 4 && format == CNN2DFormat.NCHW && x.dataType() == DataType.FLOAT;
  }

  @Override
  public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
      INDArray globalMean, INDArray globalVar, double decay, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!supported(x, format)) {
      return null;
    }
    INDArray m = globalMean.reshape(globalMean.length());
    INDArray v = globalVar.reshape(globalVar.length());
    long count = x.size(0) * x.size(2) * x.size(3);
    INDArray centred;
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      if (training) {
        if (mean == null || mean.length() != x.size(1)) {
          mean = Nd4j.createUninitialized(DataType.FLOAT, x.size(1));
          variance = Nd4j.createUninitialized(DataType.FLOAT, x.size(1));
        }
        mean.assign(perChannel(rows(x).sum(1), x)).divi(count);
        m = mean;
      }
      centred = centre(x, m);
      if (training) {
        // The population variance, as DL4J's own, in two passes: E[x^2] - E[x]^2 in float lost
        // precision where a channel's mean is large against its spread.
        variance.assign(perChannel(Transforms.pow(rows(centred).norm2(1), 2, false), x)).divi(count);
        v = variance;
      }
    }
    INDArray inverseStd = Transforms.pow(v.add(eps), -0.5, false);
    INDArray scale = gamma.reshape(gamma.length()).mul(inverseStd);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
    along(centred, scale, true, out);
    along(out, beta.reshape(beta.length()), false, out);
    NativeRuntime.release(centred, inverseStd, scale);
    return out;
  }

  /**
   * With xHat = (x - mean) / std and M values per channel: dBeta = sum(dy), dGamma = sum(dy * xHat)
   * and dx = gamma / std * (dy - dBeta / M - xHat * dGamma / M), which is a * dy + b * (x - mean) + c
   * per channel: per-channel maps along the rows and a sum.
   */
  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
      INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!supported(input, format) || mean == null) {
      return null;
    }
    INDArray dy = Shape.hasDefaultStridesForShape(epsilon) ? epsilon : epsilon.dup('c');
    double count = input.size(0) * input.size(2) * input.size(3);
    INDArray inverseStd = Transforms.pow(variance.add(eps), -0.5, false);
    INDArray centred = centre(input, mean);
    INDArray dBeta = perChannel(rows(dy).sum(1), input);
    INDArray product = dy.mul(centred);
    INDArray dGamma = perChannel(rows(product).sum(1), input).muli(inverseStd);
    NativeRuntime.release(product);
    INDArray a = gamma.reshape(gamma.length()).mul(inverseStd);
    INDArray b = a.mul(dGamma).muli(inverseStd).divi(-count);
    INDArray c = a.mul(dBeta).divi(-count);
    INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    along(dy, a, true, epsOut);
    along(epsOut, c, false, epsOut);
    along(centred, b, true, centred);
    epsOut.addi(centred);
    dGammaView.assign(dGamma.reshape(dGammaView.shape()));
    dBetaView.assign(dBeta.reshape(dBetaView.shape()));
    NativeRuntime.release(centred, inverseStd, dBeta, dGamma, a, b, c, dy == epsilon ? null : dy);
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    return new Pair<>(gradient, epsOut);
  }

  /** x - mean per channel, in a new contiguous array. */
  private static INDArray centre(INDArray x, INDArray mean) {
    INDArray centred = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    INDArray negated = mean.neg();
    along(x, negated, false, centred);
    NativeRuntime.release(negated);
    return centred;
  }

  /**
   * out = x * values[c] (multiply) or x + values[c] for every value of channel c: an ND4J scalar
   * op along the contiguous rows of x, one scalar per row. {@code out} is contiguous, and may be x.
   */
  private static void along(INDArray x, INDArray values, boolean multiply, INDArray out) {
    INDArray perRow = values.reshape(1, values.length()).repeat(0, x.size(0)).reshape(x.size(0) * values.length());
    INDArray contiguous = Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    INDArray in = rows(contiguous);
    INDArray to = rows(out);
    BaseScalarOp op = multiply ? new ScalarMultiplication(in, perRow, to, 0) : new ScalarAdd(in, perRow, to, 0);
    op.setDimension(1); // one scalar per row, from perRow, instead of one for the whole array
    Nd4j.exec(op);
    NativeRuntime.release(perRow, contiguous == x ? null : contiguous);
  }

  /** {@code x} [N, C, H, W] as [N * C, H * W]: one contiguous row per image and channel. */
  private static INDArray rows(INDArray x) {
    INDArray c = Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    return c.reshape('c', c.size(0) * c.size(1), c.size(2) * c.size(3));
  }

  /** Per-row sums [N * C] of {@code x}'s rows summed over the batch: [C]. */
  private static INDArray perChannel(INDArray rowSums, INDArray x) {
    return rowSums.reshape('c', x.size(0), x.size(1)).sum(0);
  }
}
