package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Both network kinds train with {@link OwnGradientUpdater}, also once restored, which takes DL4J's
 * standard path for their own gradient, and three Adam steps on a real minibatch leave exactly the
 * parameters and updater state that DL4J's updater leaves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnGradientUpdaterTest {

  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void itTakesTheNetworksGradientAsItsOwn(String model) {
    DeepNetwork created = created(model);
    DeepNetwork network = DeepNetwork.fromBytes(created.kind(), created.toBytes(true), true);
    assertTrue(updater(network.model()) instanceof OwnGradientUpdater.Graph
        || updater(network.model()) instanceof OwnGradientUpdater.Sequential, "restored with it");
    network.fit(batch);
    INDArray own = flattenedGradient(network.model());
    // DL4J's gradient answers a new view each time: the check for a foreign gradient always passes.
    assertNotSame(own, network.model().gradient().gradient(), "DL4J's view");
    assertSame(own, OwnGradientUpdater.onOwnView(network.model().gradient(), own).gradient());
    INDArray other = own.dup();
    assertNotSame(other, OwnGradientUpdater.onOwnView(network.model().gradient(), other).gradient(),
        "a gradient elsewhere stays foreign");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void itUpdatesExactlyAsDl4jsUpdater(String model) {
    DeepNetwork ours = created(model);
    DeepNetwork theirs = DeepNetwork.fromBytes(ours.kind(), ours.toBytes(true), true);
    withDl4jUpdater(theirs.model());
    for (int step = 0; step < 3; step++) {
      ours.fit(batch);
      theirs.fit(batch);
    }
    assertEqual(theirs.model().params(), ours.model().params(), "parameters");
    assertEqual(theirs.updaterState(), ours.updaterState(), "Adam's moments");
  }

  private static DeepNetwork created(String model) {
    return Architectures.create(model, LayerFixtures.settings(model, "NHWC"), LayerFixtures.SHAPE, 3);
  }

  private static Object updater(Model model) {
    return model instanceof MultiLayerNetwork network ? network.getUpdater() : ((ComputationGraph) model).getUpdater();
  }

  private static INDArray flattenedGradient(Model model) {
    return model instanceof MultiLayerNetwork network ? network.getFlattenedGradients()
        : ((ComputationGraph) model).getFlattenedGradients();
  }

  /** DL4J's own updater in place of this project's, on the same state. */
  private static void withDl4jUpdater(Model model) {
    if (model instanceof MultiLayerNetwork network) {
      network.setUpdater(new MultiLayerUpdater(network, network.getUpdater().getStateViewArray()));
      assertEquals(MultiLayerUpdater.class, network.getUpdater().getClass());
    } else {
      ComputationGraph graph = (ComputationGraph) model;
      graph.setUpdater(new ComputationGraphUpdater(graph, graph.getUpdater().getStateViewArray()));
      assertEquals(ComputationGraphUpdater.class, graph.getUpdater().getClass());
    }
  }

  private static void assertEqual(INDArray expected, INDArray actual, String what) {
    assertTrue(expected.amaxNumber().doubleValue() > 0, what);
    assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), what);
  }
}
