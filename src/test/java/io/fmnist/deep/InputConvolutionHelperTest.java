package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link InputConvolutionHelper} runs only the convolution on each network's input (and the layer
 * helpers logged name it once), and its gradients are those of DL4J's oneDNN helper, on a real
 * minibatch: for both networks in both layouts, and for a padded, strided convolution of
 * three-channel images.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputConvolutionHelperTest {

  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @Test
  void onlyTheInputConvolutionOfEachNetworkHasIt() {
    for (String name : List.of("cnn", "resnet")) {
      DeepNetwork network = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3);
      List<String> with = java.util.Arrays.stream(DeepNetwork.layers(network.model()))
          .filter(layer -> layer.getHelper() instanceof InputConvolutionHelper)
          .map(layer -> layer.conf().getLayer().getLayerName()).toList();
      assertEquals(List.of(name.equals("cnn") ? "conv1" : "stem"), with, name);
      assertEquals("InputConvolutionHelper, MKLDNNConvHelper", network.helpers().get("ConvolutionLayer"), name);
      DeepNetwork restored = DeepNetwork.fromBytes(network.kind(), network.toBytes(false), false);
      assertInstanceOf(InputConvolutionHelper.class, DeepNetwork.layers(restored.model())[0].getHelper(), name);
    }
  }

  @Test
  void bothNetworksGradientsAreOneDnnsInBothLayouts() {
    for (String name : List.of("cnn", "resnet")) {
      for (String format : List.of("NHWC", "NCHW")) {
        Model ours = Architectures.create(name, LayerFixtures.settings(name, format), LayerFixtures.SHAPE, 3).model();
        // A clone has DL4J's own helpers; the same BatchNorm code in both: only the input convolution differs.
        Model theirs = ours instanceof MultiLayerNetwork network ? network.clone() : ((ComputationGraph) ours).clone();
        BatchNormHelper.install(theirs);
        assertEquals(MKLDNNConvHelper.class, DeepNetwork.layers(theirs)[0].getHelper().getClass(), name + " " + format);
        assertAlmostEqual(LayerFixtures.gradient(theirs, batch), LayerFixtures.gradient(ours, batch), name + " " + format);
      }
    }
  }

  @Test
  void aPaddedStridedConvolutionOfColourImagesGetsOneDnnsGradients() {
    INDArray grey = batch.getFeatures();
    INDArray colour = Nd4j.concat(1, grey, grey.mul(0.5), grey.rsub(1.0)); // three different channels of real images
    DataSet colourBatch = new DataSet(colour, batch.getLabels());
    MultiLayerNetwork ours = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .list()
        .layer(new ConvolutionLayer.Builder(5, 5).stride(2, 2).nOut(8).activation(Activation.TANH)
            .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(28, 28, 3, CNN2DFormat.NHWC)).build());
    ours.init();
    MultiLayerNetwork theirs = ours.clone();
    InputConvolutionHelper.install(ours);
    assertInstanceOf(InputConvolutionHelper.class, ours.getLayer(0).getHelper());
    assertInstanceOf(MKLDNNConvHelper.class, theirs.getLayer(0).getHelper());
    assertAlmostEqual(LayerFixtures.gradient(theirs, colourBatch), LayerFixtures.gradient(ours, colourBatch),
        "5x5, stride 2, same padding, RGB");
  }

  @Test
  void theInputGradientIsNullNotWrong() {
    MultiLayerNetwork network = (MultiLayerNetwork) Architectures.create("cnn", LayerFixtures.settings("cnn", "NHWC"),
        LayerFixtures.SHAPE, 3).model();
    INDArray features = DeepNetwork.inLayout(batch.getFeatures(), CNN2DFormat.NHWC);
    var gradients = network.calculateGradients(features, batch.getLabels(), null, null);
    assertNotNull(gradients.getFirst().gradient());
    assertNull(gradients.getSecond());
  }

  /** Equal up to float rounding: the input layer's sums run in another order than oneDNN's. */
  private static void assertAlmostEqual(INDArray expected, INDArray actual, String what) {
    double scale = expected.amaxNumber().doubleValue();
    assertTrue(scale > 0, what);
    double worst = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(worst <= 1e-4 * scale, what + ": gradients differ by up to " + worst + " (largest " + scale + ")");
  }
}
