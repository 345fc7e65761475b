package io.fmnist.deep;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's pooling layer, with its forward pass on {@link MaxPoolHelper} where that takes the
 * pooling. DL4J 1.0.0-M2.1's layer hands its helper the backward pass only: the forward pass always
 * runs libnd4j's {@code maxpool2d}, which builds oneDNN's descriptors and primitive on every call.
 */
public class DirectSubsamplingLayer extends SubsamplingLayer {

  public DirectSubsamplingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    if (helper instanceof MaxPoolHelper pooling && input != null) {
      INDArray pooled = pooling.forward(input, layerConf(), workspaceMgr);
      if (pooled != null) {
        return pooled;
      }
    }
    return super.activate(training, workspaceMgr);
  }
}
