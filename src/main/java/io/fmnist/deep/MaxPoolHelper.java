package io.fmnist.deep;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of the networks' 2x2, stride-2 max-pooling over NHWC activations in one SIMD
 * pass ({@link ChannelKernels#maxPoolGradient}). libnd4j 1.0.0-M2.1's oneDNN {@code maxpool2d_bp}
 * runs the forward pass again for oneDNN's record of where each maximum was, then the backward
 * primitive: 10.8% of the seed ResNet's training step on one core (5.8 of 54.1 ms,
 * Intel Xeon family 6 model 167, JFR samples, 2026-12-05), for a copy of each output gradient to
 * one of four places. The forward pass stays oneDNN's, and any other pooling (other kernels,
 * strides, padding, layouts or data types) the DL4J helper's.
 */
final class MaxPoolHelper extends MKLDNNSubsamplingHelper {

  private static final int[] TWO = {2, 2};

  MaxPoolHelper() {
    super(DataType.FLOAT);
  }

  /** Puts this helper into every subsampling layer of {@code model} that runs on oneDNN's. */
  static void install(Model model) {
    if (!VectorApi.available()) {
      return;
    }
    for (Layer layer : DeepNetwork.layers(model)) {
      if (layer.getClass() == SubsamplingLayer.class && layer.getHelper() instanceof MKLDNNSubsamplingHelper) {
        LayerHelpers.replace(layer, SubsamplingLayer.class, new MaxPoolHelper());
      }
    }
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, int[] kernel, int[] strides,
      int[] pad, PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (poolingType != PoolingType.MAX || format != CNN2DFormat.NHWC || convolutionMode == ConvolutionMode.Same
        || !Arrays.equals(kernel, TWO) || !Arrays.equals(strides, TWO) || pad[0] != 0 || pad[1] != 0
        || dilation[0] != 1 || dilation[1] != 1 || input.rank() != 4 || input.dataType() != DataType.FLOAT
        || epsilon.dataType() != DataType.FLOAT) {
      return super.backpropGradient(input, epsilon, kernel, strides, pad, poolingType, convolutionMode, dilation,
          format, workspaceMgr);
    }
    INDArray x = ChannelKernels.contiguous(input);
    INDArray dy = ChannelKernels.contiguous(epsilon);
    INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    ChannelKernels.maxPoolGradient(x, dy, gradient);
    NativeRuntime.release(x == input ? null : x, dy == epsilon ? null : dy);
    return new Pair<>(new DefaultGradient(), gradient);
  }
}
