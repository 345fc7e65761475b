package io.fmnist.deep;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's BatchNormalization for convolution activations (NCHW or NHWC), in fused passes over
 * memory. DL4J 1.0.0-M2.1's oneDNN helper spends most of its time outside oneDNN: it reduces the
 * batch mean and variance over axes (0, 2, 3) with strided reductions, and its backward op also
 * computes gradients of the mean and variance that DL4J never uses. Profiled on one core
 * (scripts/profile-deep.sh), that was 42% of the CNN's training step and 30% of the ResNet's. Here
 * an [N, C, H, W] array is seen as N * C contiguous rows of H * W values (an NHWC array as N * H * W
 * rows of one value per channel), and {@link ChannelKernels} makes the passes: forward, the sums
 * for the mean, the centred squares for the variance, and one affine map; backward, the two sums of
 * the textbook formula and dx in one pass. As ND4J ops (scalar ops along the rows) the same
 * computation made 8 passes forward and about 16 backward, each writing or reading a whole array:
 * 3.5x this helper's time in the CNN's step on one core (23.9 against 6.8 ms). {@link #install}
 * puts it into every BatchNormalization layer of a network (the layer's helper field, which DL4J
 * fills with its oneDNN helper); anything else (other ranks or data types) declines, and DL4J's
 * built-in code runs. Without the JDK's Vector API module in the JVM ({@link VectorApi}) DL4J's
 * own helper stays.
 */
final class BatchNormHelper implements BatchNormalizationHelper {

  // The last training batch's statistics, which DL4J's layer reads after the backward pass to move
  // its running ones; rewritten in place each step.
  private INDArray mean;
  private INDArray variance;

  /** Replaces the helper of every BatchNormalization layer in {@code model}. */
  static void install(Model model) {
    if (!VectorApi.available()) {
      return;
    }
    for (Layer layer : DeepNetwork.layers(model)) {
      if (layer instanceof BatchNormalization) {
        LayerHelpers.replace(layer, BatchNormalization.class, new BatchNormHelper());
      }
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

  private static boolean supported(INDArray x) {
    return x.rank() == 4 && x.dataType() == DataType.FLOAT;
  }

  private static int channels(INDArray x, CNN2DFormat format) {
    return Math.toIntExact(x.size(format == CNN2DFormat.NCHW ? 1 : 3));
  }

  @Override
  public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
      INDArray globalMean, INDArray globalVar, double decay, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!supported(x)) {
      return null;
    }
    INDArray in = ChannelKernels.contiguous(x);
    int channels = channels(x, format);
    float[] m;
    float[] v;
    if (training) {
      double count = (double) x.length() / channels;
      double[] sums = new double[channels];
      ChannelKernels.sums(in, format, null, sums, null);
      m = new float[channels];
      for (int c = 0; c < channels; c++) {
        m[c] = (float) (sums[c] / count);
      }
      // The population variance, as DL4J's own, from the centred values (a second pass): E[x^2] -
      // E[x]^2 in float lost precision where a channel's mean is large against its spread.
      double[] centred = new double[channels];
      double[] squares = new double[channels];
      ChannelKernels.sums(in, format, m, centred, squares);
      v = new float[channels];
      for (int c = 0; c < channels; c++) {
        double meanOffset = centred[c] / count;
        v[c] = (float) (squares[c] / count - meanOffset * meanOffset);
      }
      if (mean == null || mean.length() != channels) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
          mean = Nd4j.createUninitialized(DataType.FLOAT, channels);
          variance = Nd4j.createUninitialized(DataType.FLOAT, channels);
        }
      }
      ChannelKernels.setValues(m, mean);
      ChannelKernels.setValues(v, variance);
    } else {
      m = ChannelKernels.values(globalMean);
      v = ChannelKernels.values(globalVar);
    }
    float[] g = ChannelKernels.values(gamma);
    float[] b = ChannelKernels.values(beta);
    float[] scale = new float[channels];
    float[] shift = new float[channels];
    for (int c = 0; c < channels; c++) {
      double a = g[c] / Math.sqrt(v[c] + eps);
      scale[c] = (float) a;
      shift[c] = (float) (b[c] - m[c] * a);
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
    ChannelKernels.affine(in, format, scale, shift, out);
    NativeRuntime.release(in == x ? null : in);
    return out;
  }

  /**
   * With xHat = (x - mean) / std and M values per channel: dBeta = sum(dy), dGamma = sum(dy * xHat)
   * and dx = gamma / std * (dy - dBeta / M - xHat * dGamma / M), which is a * dy + b * x + k per
   * channel: one pass for the two sums, one for dx.
   */
  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
      INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!supported(input) || mean == null) {
      return null;
    }
    INDArray x = ChannelKernels.contiguous(input);
    INDArray dy = ChannelKernels.contiguous(epsilon);
    int channels = channels(input, format);
    double count = (double) input.length() / channels;
    float[] m = ChannelKernels.values(mean);
    float[] v = ChannelKernels.values(variance);
    float[] g = ChannelKernels.values(gamma);
    double[] dySums = new double[channels];
    double[] dyCentredSums = new double[channels];
    ChannelKernels.gradientSums(dy, x, format, m, dySums, dyCentredSums);
    float[] dGamma = new float[channels];
    float[] dBeta = new float[channels];
    float[] a = new float[channels];
    float[] b = new float[channels];
    float[] k = new float[channels];
    for (int c = 0; c < channels; c++) {
      double inverseStd = 1 / Math.sqrt(v[c] + eps);
      double scale = g[c] * inverseStd;
      double dg = dyCentredSums[c] * inverseStd;
      dGamma[c] = (float) dg;
      dBeta[c] = (float) dySums[c];
      a[c] = (float) scale;
      b[c] = (float) (-scale * dg * inverseStd / count);
      k[c] = (float) (-scale * dySums[c] / count - m[c] * b[c]);
    }
    INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    ChannelKernels.combine(dy, format, a, x, b, k, epsOut);
    ChannelKernels.setValues(dGamma, dGammaView);
    ChannelKernels.setValues(dBeta, dBetaView);
    NativeRuntime.release(x == input ? null : x, dy == epsilon ? null : dy);
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    return new Pair<>(gradient, epsOut);
  }
}
