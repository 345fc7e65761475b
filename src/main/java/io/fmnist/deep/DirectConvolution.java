package io.fmnist.deep;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution layer's configuration, DL4J's in every setting, whose layer is a
 * {@link DirectConvolutionLayer}: the networks' convolutions are these. Saved in a network's JSON
 * under this class's name, so a saved network needs this project to load (as it does anyway);
 * networks saved with DL4J's class still load and run, without the layer's savings. Its one
 * setting of its own is the {@link ConvolutionPrecision} (saved in the JSON too; networks saved
 * before it run in float, as they trained).
 */
public class DirectConvolution extends ConvolutionLayer {

  private ConvolutionPrecision precision = ConvolutionPrecision.F32;

  /** For Jackson, which restores the settings afterwards. */
  public DirectConvolution() {}

  /** The layer {@code builder} describes (as its {@code build()} would make it, and checked the same way). */
  public DirectConvolution(ConvolutionLayer.Builder builder, ConvolutionPrecision precision) {
    super(builder);
    this.precision = precision;
    ConvolutionUtils.validateConvolutionModePadding(getConvolutionMode(), getPadding());
    ConvolutionUtils.validateCnnKernelStridePadding(getKernelSize(), getStride(), getPadding());
  }

  public ConvolutionPrecision getPrecision() {
    return precision;
  }

  public void setPrecision(ConvolutionPrecision precision) {
    this.precision = precision;
  }

  /** DL4J's {@code ConvolutionLayer.instantiate}, with the layer class replaced. */
  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("ConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
    DirectConvolutionLayer layer = new DirectConvolutionLayer(conf, networkDataType);
    layer.setListeners(trainingListeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    Map<String, INDArray> parameters = initializer().init(conf, layerParamsView, initializeParams);
    layer.setParamTable(parameters);
    layer.setConf(conf);
    return layer;
  }
}
