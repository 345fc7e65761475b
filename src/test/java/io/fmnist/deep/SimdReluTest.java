package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link SimdRelu} is in every ReLU of both networks, survives saving, and gives exactly DL4J's
 * ReLU gradient: for a whole CNN on a real minibatch, and for arrays the kernel does not take.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimdReluTest {

  private static final ImageShape SHAPE = LayerFixtures.SHAPE;
  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @Test
  void everyReluOfBothNetworksIsItAndSavingKeepsIt() {
    for (String name : List.of("cnn", "resnet")) {
      DeepNetwork network = Architectures.create(name, LayerFixtures.settings(name), SHAPE, 3);
      // CNN: three convolutions and the dense layer; ResNet: the stem, each block's first convolution and its output.
      assertEquals(name.equals("cnn") ? 4 : 5, relus(network.model(), SimdRelu.class), name);
      assertEquals(0, relus(network.model(), ActivationReLU.class), name);
      DeepNetwork restored = DeepNetwork.fromBytes(network.kind(), network.toBytes(false), false);
      assertEquals(relus(network.model(), SimdRelu.class), relus(restored.model(), SimdRelu.class), name + " restored");
      assertTrue(restored.output(batch.getFeatures()).equalsWithEps(network.output(batch.getFeatures()), 1e-6));
    }
  }

  @Test
  void theCnnsGradientIsExactlyDl4jsRelus() {
    MultiLayerNetwork ours = (MultiLayerNetwork) Architectures.create("cnn", LayerFixtures.settings("cnn"), SHAPE, 3).model();
    MultiLayerNetwork theirs = ours.clone();
    BatchNormHelper.install(theirs); // the same BatchNorm code in both: only the ReLUs differ
    for (Layer layer : theirs.getLayers()) {
      if (layer.conf().getLayer() instanceof BaseLayer base && base.getActivationFn() instanceof SimdRelu) {
        base.setActivationFn(new ActivationReLU());
      }
    }
    assertEquals(4, relus(ours, SimdRelu.class));
    assertInstanceOf(ActivationReLU.class, ((BaseLayer) theirs.getLayer(0).conf().getLayer()).getActivationFn());

    INDArray expected = gradient(theirs);
    INDArray actual = gradient(ours);
    assertTrue(expected.amaxNumber().doubleValue() > 0);
    assertEquals(expected, actual);
  }

  @Test
  void anArrayTheKernelDoesNotTakeGetsDl4jsGradient() {
    INDArray z = Nd4j.rand(DataType.FLOAT, 6, 40).subi(0.5);
    INDArray dy = Nd4j.rand(DataType.FLOAT, 6, 40).subi(0.5);
    for (INDArray[] pair : List.of(new INDArray[] {z, dy}, new INDArray[] {z.transpose(), dy.transpose()},
        new INDArray[] {z.castTo(DataType.DOUBLE), dy.castTo(DataType.DOUBLE)})) {
      INDArray expected = new ActivationReLU().backprop(pair[0].dup(), pair[1]).getFirst();
      INDArray actual = new SimdRelu().backprop(pair[0].dup(), pair[1]).getFirst();
      assertEquals(expected, actual);
      assertTrue(actual.eq(0).castTo(DataType.INT32).sumNumber().intValue() > 0);
    }
  }

  private static long relus(Model model, Class<? extends IActivation> kind) {
    return Arrays.stream(DeepNetwork.layers(model)).map(layer -> layer.conf().getLayer())
        .map(conf -> conf instanceof BaseLayer base ? base.getActivationFn()
            : conf instanceof ActivationLayer activation ? activation.getActivationFn() : new ActivationSoftmax())
        .filter(fn -> fn.getClass() == kind).count();
  }


  private INDArray gradient(MultiLayerNetwork network) {
    network.setInput(batch.getFeatures());
    network.setLabels(batch.getLabels());
    network.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
    return network.gradient().gradient().dup();
  }
}
