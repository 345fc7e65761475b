package io.fmnist.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.deep.Architectures;
import io.fmnist.deep.Augmentation;
import io.fmnist.deep.DeepNetwork;
import io.fmnist.deep.ImageShape;
import io.fmnist.deep.MinibatchBuilder;
import io.fmnist.deep.NativeRuntime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Grad-CAM on both networks, briefly trained on real images (2,000, one epoch, in one process). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradCamTest {

  private static final ImageShape SHAPE = new ImageShape(28, 28, 10);
  private static final int TRAIN = 2000;
  private final List<byte[]> images = FashionMnist.trainImages(TRAIN + 8);
  private final int[] labels = FashionMnist.trainLabels(TRAIN + 8);
  private final Map<String, DeepNetwork> trained = new HashMap<>();

  GradCamTest() {
    NativeRuntime.configure(Runtime.getRuntime().availableProcessors());
  }

  /** {@code name} after one epoch over the 2,000 images, trained once per class. */
  private DeepNetwork trained(String name) {
    return trained.computeIfAbsent(name, this::train);
  }

  private DeepNetwork train(String name) {
    long seed = 7;
    DeepNetwork network = fresh(name, seed);
    MinibatchBuilder builder = new MinibatchBuilder(SHAPE, Augmentation.NONE, 0);
    int[] order = new int[TRAIN];
    Arrays.setAll(order, i -> i);
    for (int from = 0; from < TRAIN; from += 32) {
      network.fit(builder.build(images, labels, order, from, Math.min(TRAIN, from + 32), new Random(seed)));
    }
    return network;
  }

  private static DeepNetwork fresh(String name, long seed) {
    return Architectures.create(name, settings(name), SHAPE, seed);
  }

  private static com.typesafe.config.Config settings(String name) {
    return AppConfig.defaults().config().getConfig("deep." + name);
  }

  private static DeepNetwork inDouble(DeepNetwork network) {
    return network.model() instanceof MultiLayerNetwork m
        ? DeepNetwork.of(m.convertDataType(DataType.DOUBLE))
        : DeepNetwork.of(((ComputationGraph) network.model()).convertDataType(DataType.DOUBLE));
  }

  /** The 8 real images after the training ones, NCHW in [0, 1]. */
  private INDArray testImages(DataType type) {
    return Nd4j.create(MinibatchBuilder.scaled(images.subList(TRAIN, TRAIN + 8), SHAPE),
        new long[] {8, 1, 28, 28}, 'c').castTo(type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void gradientMatchesCentralFiniteDifferencesInDoublePrecision(String name) {
    DeepNetwork network = inDouble(trained(name));
    GradCam cam = GradCam.of(network, Architectures.gradCamLayer(name, settings(name)), SHAPE);
    INDArray x = testImages(DataType.DOUBLE);
    INDArray maps = cam.activations(x);

    // The head reproduces the network: softmax of its scores is the network's output.
    INDArray probabilities = Transforms.softmax(cam.scores(maps), true);
    assertTrue(probabilities.equalsWithEps(network.output(x), 1e-10), name + ": head differs from network");

    int[] classes = {0, 1, 2, 3, 4, 5, 6, 7};
    INDArray gradient = cam.gradients(maps, classes);
    Random random = new Random(11);
    double epsilon = 1e-6;
    int checked = 0;
    for (int trial = 0; trial < 400 && checked < 40; trial++) {
      int i = random.nextInt(8);
      long[] at = {i, random.nextInt((int) maps.size(1)), random.nextInt((int) maps.size(2)),
          random.nextInt((int) maps.size(3))};
      INDArray plus = maps.dup();
      plus.putScalar(at, maps.getDouble(at) + epsilon);
      INDArray minus = maps.dup();
      minus.putScalar(at, maps.getDouble(at) - epsilon);
      double numeric = (cam.scores(plus).getDouble(i, classes[i]) - cam.scores(minus).getDouble(i, classes[i]))
          / (2 * epsilon);
      double analytic = gradient.getDouble(at);
      double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
      if (scale < 1e-8) {
        continue; // both zero (a ReLU that is off): nothing to compare
      }
      assertTrue(Math.abs(numeric - analytic) / scale < 1e-4,
          name + " at " + Arrays.toString(at) + ": analytic " + analytic + ", numeric " + numeric);
      checked++;
    }
    assertEquals(40, checked, name + ": too few non-zero gradients to check");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void heatmapsOfATrainedNetworkDifferClearlyFromARandomOnes(String name) {
    INDArray x = testImages(DataType.FLOAT);
    int[] classes = Arrays.copyOfRange(labels, TRAIN, TRAIN + 8);
    String layer = Architectures.gradCamLayer(name, settings(name));
    double[][][] trained = GradCam.of(trained(name), layer, SHAPE).heatmaps(x, classes);
    double[][][] random = GradCam.of(fresh(name, 99), layer, SHAPE).heatmaps(x, classes);
    double difference = 0;
    for (int i = 0; i < 8; i++) {
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          assertTrue(trained[i][r][c] >= 0 && trained[i][r][c] <= 1, "normalised");
          difference += Math.abs(trained[i][r][c] - random[i][r][c]);
        }
      }
    }
    double mean = difference / (8 * 28 * 28);
    assertTrue(mean > 0.15, name + ": mean absolute difference " + mean);
  }
}
