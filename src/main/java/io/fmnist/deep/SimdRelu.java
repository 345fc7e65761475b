package io.fmnist.deep;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ReLU whose gradient is one SIMD pass ({@link ChannelKernels#reluGradient}). ND4J 1.0.0-M2.1's
 * {@code relu_bp} op, which DL4J's ReLU runs after every convolution, took 13% of the CNN's training
 * step and 10% of the ResNet's on one core (JFR samples, {@code io.fmnist.bench.DeepProfile}): more
 * than a third of the oneDNN convolutions' own backward pass, for an elementwise select. The forward
 * pass and anything the kernel does not take (other data types, views with gaps) stay DL4J's.
 */
public final class SimdRelu extends ActivationReLU {

  /**
   * Puts this ReLU in place of DL4J's plain one (no cap, threshold or slope) in every layer of
   * {@code model} (its configuration, so a saved network keeps it); without the Vector API, none.
   */
  static void install(Model model) {
    if (!VectorApi.available()) {
      return;
    }
    for (Layer layer : DeepNetwork.layers(model)) {
      var conf = layer.conf().getLayer();
      if (conf instanceof BaseLayer base && plain(base.getActivationFn())) {
        base.setActivationFn(new SimdRelu());
      } else if (conf instanceof ActivationLayer activation && plain(activation.getActivationFn())) {
        activation.setActivationFn(new SimdRelu());
      }
    }
  }

  /** Whether {@code fn} is ReLU without cap, threshold or slope: this, or DL4J's plain one. */
  static boolean isPlainRelu(IActivation fn) {
    return fn instanceof SimdRelu || plain(fn);
  }

  private static boolean plain(IActivation fn) {
    return fn instanceof ActivationReLU relu && relu.getClass() == ActivationReLU.class && relu.getMax() == null
        && relu.getThreshold() == null && relu.getNegativeSlope() == null;
  }

  /**
   * Also for views that are the same permutation of contiguous arrays: DL4J's NHWC convolutions pass
   * their activations and gradients as NCHW views of NHWC memory.
   */
  @Override
  public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
    int[] order = ChannelKernels.memoryOrder(in);
    if (order == null || in.dataType() != DataType.FLOAT || epsilon.dataType() != DataType.FLOAT
        || !Arrays.equals(in.shape(), epsilon.shape()) || !Arrays.equals(in.stride(), epsilon.stride())) {
      return super.backprop(in, epsilon);
    }
    INDArray z = in.permute(order);
    INDArray gradient = z.ulike();
    ChannelKernels.reluGradient(z, epsilon.permute(order), gradient);
    int[] back = new int[order.length];
    for (int axis = 0; axis < order.length; axis++) {
      back[order[axis]] = axis;
    }
    return new Pair<>(gradient.permute(back), null);
  }
}
