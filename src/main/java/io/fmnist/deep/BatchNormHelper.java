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
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's BatchNormalization for NCHW activations, computed with reductions along contiguous rows.
 * DL4J 1.0.0-M2.1's oneDNN helper spends most of its time outside oneDNN: it reduces the batch
 * mean and variance over axes (0, 2, 3) with strided reductions, and its backward op also computes
 * gradients of the mean and variance that DL4J never uses. Profiled on one core (scripts/
 * profile-deep.sh), that was 42% of the CNN's training step and 30% of the ResNet's. Here the
 * statistics are sums along each (image, channel) row of {@code H x W} values then over the batch,
 * the normalisation stays oneDNN's, and the backward pass is the textbook formula written as
 * such sums and two more of oneDNN's normalisations (per-channel broadcasts in ND4J run along
 * strided fibres and were slower still). {@link #install} puts it into every BatchNormalization layer of a network
 * (the layer's helper field, which DL4J itself fills with the oneDNN helper); anything else (other
 * layouts or data types) declines, and DL4J's built-in code runs.
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
    if (training) {
      long count = x.size(0) * x.size(2) * x.size(3);
      try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        if (mean == null || mean.length() != x.size(1)) {
          mean = Nd4j.createUninitialized(DataType.FLOAT, x.size(1));
          variance = Nd4j.createUninitialized(DataType.FLOAT, x.size(1));
        }
        mean.assign(perChannel(rows(x).sum(1), x)).divi(count);
        // The population variance, as DL4J's own, in two passes: E[x^2] - E[x]^2 in float lost
        // precision where a channel's mean is large against its spread.
        INDArray centred = centre(x, mean);
        variance.assign(perChannel(Transforms.pow(rows(centred).norm2(1), 2, false), x)).divi(count);
        NativeRuntime.release(centred);
      }
      m = mean;
      v = variance;
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
    normalise(x, m, v, gamma.reshape(gamma.length()), beta.reshape(beta.length()), eps, out);
    return out;
  }

  /**
   * With xHat = (x - mean) / std and M values per channel: dBeta = sum(dy), dGamma = sum(dy * xHat)
   * and dx = gamma / std * (dy - dBeta / M - xHat * dGamma / M), which is a * dy + b * (x - mean) + c
   * per channel: two per-channel affine maps (oneDNN's normalisation with variance 1) and a sum.
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
    INDArray zeros = Nd4j.zeros(DataType.FLOAT, a.length());
    INDArray ones = Nd4j.ones(DataType.FLOAT, a.length());
    INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    normalise(dy, zeros, ones, a, c, 0, epsOut);
    normalise(centred, zeros, ones, b, zeros, 0, centred);
    epsOut.addi(centred);
    dGammaView.assign(dGamma.reshape(dGammaView.shape()));
    dBetaView.assign(dBeta.reshape(dBetaView.shape()));
    NativeRuntime.release(centred, inverseStd, dBeta, dGamma, a, b, c, zeros, ones, dy == epsilon ? null : dy);
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    return new Pair<>(gradient, epsOut);
  }

  /** x - mean per channel, in a new array. */
  private static INDArray centre(INDArray x, INDArray mean) {
    INDArray centred = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    INDArray ones = Nd4j.ones(DataType.FLOAT, mean.length());
    INDArray zeros = Nd4j.zeros(DataType.FLOAT, mean.length());
    normalise(x, mean, ones, ones, zeros, 0, centred);
    NativeRuntime.release(ones, zeros);
    return centred;
  }

  /** gamma * (x - mean) / sqrt(variance + eps) + beta per channel (dimension 1), by oneDNN, into {@code out}. */
  private static void normalise(INDArray x, INDArray mean, INDArray variance, INDArray gamma, INDArray beta,
      double eps, INDArray out) {
    BatchNorm op = new BatchNorm(x, mean, variance, gamma, beta, eps, 1);
    op.addOutputArgument(out);
    Nd4j.exec(op);
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
