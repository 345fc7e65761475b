package io.fmnist.deep;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's activation layer, with plain ReLU as one pass each way. DL4J 1.0.0-M2.1's layer copies its
 * input before applying the activation in place (forward) and again before computing the gradient
 * (backward), though ReLU's gradient leaves that copy as it was: here the forward pass writes
 * relu(x) into a new array (ND4J's ReLU op, the one DL4J's runs in place) and the backward pass the
 * gradient from the input ({@link ChannelKernels#reluGradient}), one pass each. Other activations, other data types and inputs with gaps keep DL4J's
 * code. On the seed ResNet's training step the copies were about 2% on one core (Intel Xeon family 6
 * model 167).
 */
public class DirectActivationLayer extends ActivationLayer {

  public DirectActivationLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (!direct()) {
      return super.activate(training, workspaceMgr);
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
    Nd4j.getExecutioner().exec(new RectifiedLinear(input, out));
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (!direct() || epsilon.dataType() != DataType.FLOAT || !Arrays.equals(epsilon.shape(), input.shape())) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    INDArray dy = ChannelKernels.contiguous(epsilon);
    INDArray delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    ChannelKernels.reluGradient(input, dy, delta);
    NativeRuntime.release(dy == epsilon ? null : dy);
    return new Pair<>(new DefaultGradient(), delta);
  }

  /** Whether this layer's pass is the kernels': plain ReLU, no dropout, a contiguous float input. */
  private boolean direct() {
    return input != null && VectorApi.available() && SimdRelu.isPlainRelu(layerConf().getActivationFn())
        && layerConf().getIDropout() == null && input.dataType() == DataType.FLOAT && ChannelKernels.rowMajor(input);
  }
}
