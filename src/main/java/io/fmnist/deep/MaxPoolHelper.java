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
 * The networks' 2x2, stride-2 max-pooling over NHWC activations, each pass in one SIMD pass over
 * memory ({@link ChannelKernels#maxPool}, {@link ChannelKernels#maxPoolGradient}). libnd4j
 * 1.0.0-M2.1's oneDNN {@code maxpool2d_bp} runs the forward pass again for oneDNN's record of where
 * each maximum was, then the backward primitive: 10.8% of the seed ResNet's training step on one
 * core (5.8 of 54.1 ms, Intel Xeon family 6 model 167, JFR samples, 2026-12-05), for a copy of each
 * output gradient to one of four places. Its forward {@code maxpool2d} builds oneDNN's descriptors
 * on every call: 0.94 ms for the default networks' first pooling of 64 images (26x26, 32 channels)
 * on one core of that Xeon (oneDNN's own timing, 2026-12-06), where a pass over its 5.5 MB takes about
 * a third of that. A maximum is exact, so the outputs are oneDNN's. Any other pooling (other kernels,
 * strides, padding, layouts or data types) runs on the DL4J helper.
 */
final class MaxPoolHelper extends MKLDNNSubsamplingHelper {

  private static final int[] TWO = {2, 2};

  MaxPoolHelper() {
    super(DataType.FLOAT);
  }

  /**
   * Puts this helper into every 2D subsampling layer of {@code model} that runs on oneDNN's (its
   * forward pass in the {@link DirectSubsamplingLayer}s only, where DL4J's layer does not ask it).
   */
  static void install(Model model) {
    if (!VectorApi.available()) {
      return;
    }
    for (Layer layer : DeepNetwork.layers(model)) {
      if ((layer.getClass() == SubsamplingLayer.class || layer instanceof DirectSubsamplingLayer)
          && layer.getHelper() instanceof MKLDNNSubsamplingHelper) {
        LayerHelpers.replace(layer, SubsamplingLayer.class, new MaxPoolHelper());
      }
    }
  }

  /**
   * The pooling of {@code input} by the layer {@code conf} describes, for {@link DirectSubsamplingLayer};
   * null where this helper does not take it.
   */
  INDArray forward(INDArray input, org.deeplearning4j.nn.conf.layers.SubsamplingLayer conf,
      LayerWorkspaceMgr workspaceMgr) {
    if (!takes(input, input, conf.getKernelSize(), conf.getStride(), conf.getPadding(), conf.getPoolingType(),
        conf.getConvolutionMode(), conf.getDilation(), conf.getCnn2dDataFormat())) {
      return null;
    }
    INDArray x = ChannelKernels.contiguous(input);
    INDArray pooled = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {input.size(0), input.size(1) / 2, input.size(2) / 2, input.size(3)}, 'c');
    ChannelKernels.maxPool(x, pooled);
    NativeRuntime.release(x == input ? null : x);
    return pooled;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, int[] kernel, int[] strides,
      int[] pad, PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (!takes(input, epsilon, kernel, strides, pad, poolingType, convolutionMode, dilation, format)) {
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

  /** Whether a pooling is this helper's: 2x2, stride 2, no padding, truncating, NHWC floats. */
  private static boolean takes(INDArray input, INDArray other, int[] kernel, int[] strides, int[] pad,
      PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format) {
    return poolingType == PoolingType.MAX && format == CNN2DFormat.NHWC && convolutionMode != ConvolutionMode.Same
        && Arrays.equals(kernel, TWO) && Arrays.equals(strides, TWO) && pad[0] == 0 && pad[1] == 0
        && dilation[0] == 1 && dilation[1] == 1 && input.rank() == 4 && input.dataType() == DataType.FLOAT
        && other.dataType() == DataType.FLOAT;
  }
}
