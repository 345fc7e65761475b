package io.fmnist.deep;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An activation layer's configuration, DL4J's in every setting, whose layer is a
 * {@link DirectActivationLayer}: the ResNet's block outputs are these. Saved in a network's JSON
 * under this class's name (as {@link DirectConvolution} is); networks saved with DL4J's class still
 * load and run, without the layer's savings.
 */
public class DirectActivation extends ActivationLayer {

  /** For Jackson, which restores the settings afterwards. */
  public DirectActivation() {}

  /** The layer {@code builder} describes. */
  public DirectActivation(ActivationLayer.Builder builder) {
    super(builder);
  }

  /** DL4J's {@code ActivationLayer.instantiate}, with the layer class replaced. */
  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    DirectActivationLayer layer = new DirectActivationLayer(conf, networkDataType);
    layer.setListeners(trainingListeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }
}
