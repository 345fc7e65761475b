package io.fmnist.deep;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pooling layer's configuration, DL4J's in every setting, whose layer is a
 * {@link DirectSubsamplingLayer}: the networks' max-pools are these. Saved in a network's JSON under
 * this class's name (as {@link DirectConvolution} is); networks saved with DL4J's class still load
 * and run, without the layer's savings.
 */
public class DirectSubsampling extends SubsamplingLayer {

  /** For Jackson, which restores the settings afterwards. */
  public DirectSubsampling() {}

  /** The layer {@code builder} describes (as its {@code build()} would make it, and checked the same way). */
  public DirectSubsampling(SubsamplingLayer.Builder builder) {
    super(builder);
    ConvolutionUtils.validateConvolutionModePadding(getConvolutionMode(), getPadding());
    ConvolutionUtils.validateCnnKernelStridePadding(getKernelSize(), getStride(), getPadding());
  }

  /** DL4J's {@code SubsamplingLayer.instantiate}, with the layer class replaced. */
  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return LayerHelpers.instantiated(new DirectSubsamplingLayer(conf, networkDataType), this, conf, trainingListeners,
        layerIndex, layerParamsView, initializeParams);
  }
}
