package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link MaxPoolHelper} is in every max-pooling layer of both networks and survives saving, and its
 * gradients are exactly those of DL4J's oneDNN helper: for both whole networks on a real minibatch
 * (odd map sizes included: the CNN pools 11x11, the ResNet 13x13), for maps full of ties and a
 * channel count that is no multiple of the SIMD width, and for the pooling it leaves to oneDNN.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaxPoolHelperTest {

  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();
  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @Test
  void everyPoolingLayerOfBothNetworksHasItAndSavingKeepsIt() {
    for (String name : List.of("cnn", "resnet")) {
      DeepNetwork network = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3);
      assertEquals(2, pools(network.model(), MaxPoolHelper.class), name);
      assertEquals("MaxPoolHelper", network.helpers().get("SubsamplingLayer"), name);
      DeepNetwork restored = DeepNetwork.fromBytes(network.kind(), network.toBytes(false), false);
      assertEquals(2, pools(restored.model(), MaxPoolHelper.class), name + " restored");
    }
  }

  @Test
  void bothNetworksGradientsAreExactlyOneDnns() {
    for (String name : List.of("cnn", "resnet")) {
      Model ours = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3).model();
      // DL4J's helpers, then this project's convolutions too, so that only the pooling differs.
      Model theirs = LayerFixtures.withDl4jHelpers(ours);
      DirectConvolutionHelper.install(theirs);
      assertEquals(2, pools(theirs, MKLDNNSubsamplingHelper.class), name);
      INDArray expected = LayerFixtures.gradient(theirs, batch);
      assertTrue(expected.amaxNumber().doubleValue() > 0, name);
      assertEquals(expected, LayerFixtures.gradient(ours, batch), name);
    }
  }

  @Test
  void tiesOddSizesAndALeftoverChannelGetOneDnnsGradient() {
    // Values on a grid of three levels, so that most windows hold their maximum more than once.
    INDArray input = Transforms.floor(Nd4j.rand(DataType.FLOAT, 3, 9, 7, 21).muli(3), false);
    INDArray epsilon = Nd4j.rand(DataType.FLOAT, 3, 4, 3, 21).addi(0.5);
    INDArray expected = backprop(new MKLDNNSubsamplingHelper(DataType.FLOAT), input, epsilon, 2, CNN2DFormat.NHWC);
    INDArray actual = backprop(new MaxPoolHelper(), input, epsilon, 2, CNN2DFormat.NHWC);
    assertEquals(expected, actual);
    // Each output gradient went to exactly one place: the sums match, and the odd row and column got none.
    assertEquals(epsilon.sumNumber().doubleValue(), actual.sumNumber().doubleValue(), 1e-3);
    assertEquals(0.0, actual.get(NDArrayIndex.all(), NDArrayIndex.point(8)).amaxNumber().doubleValue());
    assertEquals(0.0, actual.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(6)).amaxNumber()
        .doubleValue());
  }

  @Test
  void poolingItDoesNotTakeIsOneDnns() {
    INDArray nhwc = Nd4j.rand(DataType.FLOAT, 2, 9, 9, 8);
    INDArray threeByThree = Nd4j.rand(DataType.FLOAT, 2, 3, 3, 8);
    assertEquals(backprop(new MKLDNNSubsamplingHelper(DataType.FLOAT), nhwc, threeByThree, 3, CNN2DFormat.NHWC),
        backprop(new MaxPoolHelper(), nhwc, threeByThree, 3, CNN2DFormat.NHWC));
    INDArray nchw = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 8);
    INDArray half = Nd4j.rand(DataType.FLOAT, 2, 8, 4, 4);
    INDArray expected = backprop(new MKLDNNSubsamplingHelper(DataType.FLOAT), nchw, half, 2, CNN2DFormat.NCHW);
    assertEquals(expected, backprop(new MaxPoolHelper(), nchw, half, 2, CNN2DFormat.NCHW));
    assertTrue(expected.amaxNumber().doubleValue() > 0);
  }

  /** A k x k, stride-k max-pool's input gradient, truncating. */
  private static INDArray backprop(MKLDNNSubsamplingHelper helper, INDArray input, INDArray epsilon, int k,
      CNN2DFormat format) {
    return helper.backpropGradient(input, epsilon, new int[] {k, k}, new int[] {k, k}, new int[] {0, 0}, PoolingType.MAX,
        ConvolutionMode.Truncate, new int[] {1, 1}, format, NO_WORKSPACES).getSecond();
  }

  private static long pools(Model model, Class<?> helper) {
    return Arrays.stream(DeepNetwork.layers(model)).filter(layer -> layer instanceof SubsamplingLayer)
        .map(Layer::getHelper).filter(h -> h != null && h.getClass() == helper).count();
  }
}
