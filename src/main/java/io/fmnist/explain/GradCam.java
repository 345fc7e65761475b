package io.fmnist.explain;

import io.fmnist.data.ImagePixels;
import io.fmnist.deep.DeepNetwork;
import io.fmnist.deep.ImageShape;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Grad-CAM (Selvaraju et al.) for a trained DL4J network: the gradient of a class's pre-softmax
 * score with respect to a target layer's feature maps, their spatial means as channel weights, and
 * the ReLU of the weighted sum of the maps, bilinearly upsampled to the image and scaled to [0, 1].
 *
 * <p>DL4J 1.0.0-M2.1 has no call for the gradient with respect to an inner layer's activations, so
 * the gradient comes from a "head": a copy of the layers after the target (dropout removed, the
 * output layer's softmax replaced by the identity with {@link ClassScore} as its loss) holding the
 * trained parameters, whose input gradient DL4J's {@code calculateGradients} returns.
 */
public final class GradCam {

  private final DeepNetwork network;
  private final String target;
  private final MultiLayerNetwork head;

  private GradCam(DeepNetwork network, String target, MultiLayerNetwork head) {
    this.network = network;
    this.target = target;
    this.head = head;
  }

  /** Grad-CAM of {@code network} at the layer named {@code target}, for images of {@code shape}. */
  public static GradCam of(DeepNetwork network, String target, ImageShape shape) {
    List<Layer> after = network.layersAfter(target);
    INDArray probe = Nd4j.zeros(network.model().params().dataType(), shape.batch(1));
    long[] maps = channelsFirst(network.activations(probe, target), network.format()).shape();
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .dataType(network.model().params().dataType()).list();
    List<Layer> copied = new ArrayList<>();
    for (Layer layer : after) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer().clone();
      if (conf instanceof DropoutLayer) {
        continue;
      }
      conf.setIDropout(null);
      if (conf instanceof BaseOutputLayer output) {
        conf = new OutputLayer.Builder(new ClassScore()).nIn(output.getNIn()).nOut(output.getNOut())
            .activation(Activation.IDENTITY).build();
      }
      list.layer(conf);
      copied.add(layer);
    }
    MultiLayerNetwork head = new MultiLayerNetwork(
        list.setInputType(InputType.convolutional(maps[2], maps[3], maps[1], network.format())).build());
    head.init();
    for (int i = 0; i < copied.size(); i++) {
      if (copied.get(i).numParams() > 0) {
        head.getLayer(i).setParams(copied.get(i).params().dup());
      }
    }
    return new GradCam(network, target, head);
  }

  /**
   * The target layer's feature maps for NCHW {@code images}, in inference mode, in the network's
   * layout ({@link DeepNetwork#format}), which {@link #scores} and {@link #gradients} take.
   */
  public INDArray activations(INDArray images) {
    return network.activations(images, target);
  }

  /** The pre-softmax class scores computed from the target's feature maps: [n, classes]. */
  public INDArray scores(INDArray activations) {
    return head.output(activations, false);
  }

  /** d score[classes[i]] / d activations[i], for each image i, in the activations' layout. */
  public INDArray gradients(INDArray activations, int[] classes) {
    INDArray oneHot = Nd4j.zeros(activations.dataType(), activations.size(0), head.layerSize(head.getnLayers() - 1));
    for (int i = 0; i < classes.length; i++) {
      oneHot.putScalar(i, classes[i], 1.0);
    }
    return head.calculateGradients(activations, oneHot, null, null).getSecond();
  }

  /**
   * The Grad-CAM heatmaps of NCHW {@code images} for {@code classes}, each [rows][cols] in [0, 1]
   * (all zeros where no feature map speaks for the class).
   */
  public double[][][] heatmaps(INDArray images, int[] classes) {
    INDArray activations = activations(images);
    INDArray maps = channelsFirst(activations, network.format());
    INDArray weights = channelsFirst(gradients(activations, classes), network.format()).mean(2, 3);
    int rows = (int) images.size(2);
    int cols = (int) images.size(3);
    double[][][] heatmaps = new double[classes.length][][];
    for (int i = 0; i < classes.length; i++) {
      INDArray weighted = maps.get(NDArrayIndex.point(i))
          .mul(weights.getRow(i).reshape(weights.size(1), 1, 1)).sum(0);
      heatmaps[i] = Heatmaps.normalised(
          ImagePixels.bilinear(Transforms.relu(weighted, false).toDoubleMatrix(), rows, cols));
    }
    return heatmaps;
  }

  /** {@code maps} as [n, channels, h, w]. */
  private static INDArray channelsFirst(INDArray maps, CNN2DFormat format) {
    return format == CNN2DFormat.NHWC ? maps.permute(0, 3, 1, 2) : maps;
  }
}
