package io.fmnist.deep;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's convolution layer, with its NHWC passes on {@link DirectConvolutionHelper} (where the
 * helper is installed and takes the shape; otherwise DL4J's code throughout) and three of DL4J
 * 1.0.0-M2.1's copies left out. Its {@code preOutput} copies an NHWC input to NCHW before anything
 * else, in the forward pass and again in the backward pass, though no helper reads that copy; its
 * cache for the backward pass is a copy of the layer's pre-activation output; and the ReLU after the
 * convolution is one more pass over the output. Here the ReLU is oneDNN's post-op, applied as the
 * convolution writes its output, and the cache is that output itself: it is the next layer's input,
 * which DL4J keeps until the backward pass, and ReLU's gradient is the same computed from it (it is
 * positive exactly where the pre-activation is). Layers with other activations keep DL4J's
 * {@code activate}. On the seed ResNet's training step these copies were about 4 ms of 36 on one
 * core (Intel Xeon family 6 model 167).
 */
public class DirectConvolutionLayer extends ConvolutionLayer {

  public DirectConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    IActivation activation = layerConf().getActivationFn();
    boolean relu = SimdRelu.isPlainRelu(activation);
    if (!(helper instanceof DirectConvolutionHelper direct) || input == null
        || !(relu || activation instanceof ActivationIdentity)) {
      return super.activate(training, workspaceMgr);
    }
    applyDropOutIfNecessary(training, workspaceMgr);
    INDArray out = forward(direct, training, relu, workspaceMgr);
    if (out == null) { // a shape the helper leaves to DL4J (the dropout is applied once: DL4J checks)
      return super.activate(training, workspaceMgr);
    }
    // Where DL4J would cache (a training pass with its cache open), and cleared otherwise, so that
    // a backward pass never reads another pass's output (DL4J's cache is never cleared).
    if (cacheMode == null) {
      cacheMode = CacheMode.NONE;
    }
    preOutput = training && cacheMode != CacheMode.NONE && workspaceMgr.hasConfiguration(ArrayType.FF_CACHE)
        && workspaceMgr.isWorkspaceOpen(ArrayType.FF_CACHE) ? out : null;
    return out;
  }

  @Override
  protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
    if (helper instanceof DirectConvolutionHelper direct) {
      if (forBackprop && preOutput != null) {
        return new Pair<>(preOutput, null);
      }
      INDArray z = forward(direct, training, false, workspaceMgr);
      if (z != null) {
        return new Pair<>(z, null);
      }
    }
    return super.preOutput(training, forBackprop, workspaceMgr);
  }

  /** The convolution of this layer's input, its ReLU applied where {@code relu}; null where the helper leaves it to DL4J. */
  private INDArray forward(DirectConvolutionHelper direct, boolean training, boolean relu,
      LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    validateInputRank();
    INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
    INDArray bias = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
    validateInputDepth(weights.size(1));
    return direct.forward(input.castTo(dataType), weights, bias, layerConf(), relu, workspaceMgr);
  }
}
