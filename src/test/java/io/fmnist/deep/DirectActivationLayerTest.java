package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The ResNet's block outputs are {@link DirectActivationLayer}s, also once saved and restored, and
 * give exactly what DL4J's activation layer gives on a real minibatch: the output, the loss gradient,
 * and the gradients of a training step as {@code fit} runs it (workspaces and all).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectActivationLayerTest {

  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @Test
  void theResNetsBlockOutputsAreItAndSavingKeepsThem() {
    DeepNetwork network = Architectures.create("resnet", LayerFixtures.settings("resnet", "NHWC"),
        LayerFixtures.SHAPE, 3);
    // The default ResNet: two stages of one block each.
    assertEquals(2, direct(network.model()), "block outputs");
    DeepNetwork restored = DeepNetwork.fromBytes(network.kind(), network.toBytes(false), false);
    assertEquals(2, direct(restored.model()), "restored");
  }

  @Test
  void itGivesExactlyDl4jsOutputAndGradients() {
    ComputationGraph ours = (ComputationGraph) Architectures.create("resnet",
        LayerFixtures.settings("resnet", "NHWC"), LayerFixtures.SHAPE, 3).model();
    ComputationGraph theirs = withDl4jActivationLayers(ours);
    assertEquals(0, direct(theirs), "the reference has DL4J's layers");
    INDArray features = DeepNetwork.inLayout(batch.getFeatures(), CNN2DFormat.NHWC);
    assertEqual(theirs.outputSingle(features), ours.outputSingle(features), "output");
    assertEqual(LayerFixtures.gradient(theirs, batch), LayerFixtures.gradient(ours, batch), "loss gradient");
    assertEqual(LayerFixtures.fitGradient(theirs, batch), LayerFixtures.fitGradient(ours, batch), "gradients in fit");
  }

  /** {@code graph} with the same parameters and DL4J's activation layers (everything else as built). */
  private static ComputationGraph withDl4jActivationLayers(ComputationGraph graph) {
    String json = graph.getConfiguration().toJson().replace("\"" + DirectActivation.class.getName() + "\"",
        "\"" + org.deeplearning4j.nn.conf.layers.ActivationLayer.class.getName() + "\"");
    ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
    copy.init(graph.params().dup(), true);
    return (ComputationGraph) DeepNetwork.of(copy).model();
  }

  private static long direct(org.deeplearning4j.nn.api.Model model) {
    return Arrays.stream(DeepNetwork.layers(model)).map(Layer::getClass)
        .filter(DirectActivationLayer.class::equals).count();
  }

  private static void assertEqual(INDArray expected, INDArray actual, String what) {
    assertTrue(expected.amaxNumber().doubleValue() > 0, what);
    assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), what);
  }
}
