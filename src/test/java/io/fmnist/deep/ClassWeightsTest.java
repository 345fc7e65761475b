package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.errors.UsageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * {@code deep.<name>.class-weights}: class names resolved to labels (unknown names and weights that
 * are not positive refused), each class's loss term scaled on a real minibatch, kept by a saved network.
 */
class ClassWeightsTest {

  private static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private static Config settings(String... overrides) {
    var all = new ArrayList<>(List.of("deep.cnn.dropout=0"));
    all.addAll(List.of(overrides));
    return AppConfig.load(null, all, new Configuration()).config().getConfig("deep.cnn");
  }

  @Test
  void classNamesBecomeLabels() {
    assertEquals(Map.of(), AppConfig.classWeights(settings(), "deep.cnn.class-weights", CLASSES));
    assertEquals(Map.of(6, 2.0, 4, 1.5), AppConfig.classWeights(settings("deep.cnn.class-weights.Shirt=2",
        "deep.cnn.class-weights.Coat=1.5"), "deep.cnn.class-weights", CLASSES));
    UsageException unknown = assertThrows(UsageException.class, () -> AppConfig.classWeights(
        settings("deep.cnn.class-weights.Shirts=2"), "deep.cnn.class-weights", CLASSES));
    assertTrue(unknown.getMessage().contains("unknown class 'Shirts'"), unknown.getMessage());
    assertThrows(UsageException.class, () -> AppConfig.classWeights(settings("deep.cnn.class-weights.Shirt=0"),
        "deep.cnn.class-weights", CLASSES));
  }

  @Test
  void weightsScaleEachClasssLossAndSavingKeepsThem() {
    DataSet batch = LayerFixtures.realMinibatch();
    Config settings = settings();
    DeepNetwork plain = Architectures.create("cnn", settings, LayerFixtures.SHAPE, 3);
    DeepNetwork doubled = Architectures.create("cnn", settings, LayerFixtures.SHAPE, 3);
    Map<Integer, Double> everyClassTwice = new HashMap<>();
    for (int label = 0; label < 10; label++) {
      everyClassTwice.put(label, 2.0);
    }
    Architectures.weightClasses(doubled, everyClassTwice, 10);
    INDArray plainGradient = LayerFixtures.gradient((MultiLayerNetwork) plain.model(), batch);
    double plainScore = plain.model().score();
    INDArray doubledGradient = LayerFixtures.gradient((MultiLayerNetwork) doubled.model(), batch);
    assertEquals(2 * plainScore, doubled.model().score(), 1e-5 * plainScore);
    // Within float rounding: with weights DL4J's loss takes its general gradient, through the softmax's Jacobian.
    double largest = doubledGradient.amaxNumber().doubleValue();
    assertTrue(largest > 0);
    assertTrue(plainGradient.mul(2).sub(doubledGradient).amaxNumber().doubleValue() <= 1e-3 * largest);

    // Only the Shirt images' terms grow with the Shirt's weight; this batch has some, and others.
    DeepNetwork shirt = Architectures.create("cnn", settings, LayerFixtures.SHAPE, 3);
    Architectures.weightClasses(shirt, Map.of(6, 3.0), 10);
    LayerFixtures.gradient((MultiLayerNetwork) shirt.model(), batch);
    assertTrue(shirt.model().score() > plainScore && shirt.model().score() < 3 * plainScore);

    DeepNetwork restored = DeepNetwork.fromBytes(shirt.kind(), shirt.toBytes(false), false);
    INDArray weights = ((LossMCXENT) ((BaseOutputLayer) DeepNetwork.layers(restored.model())[
        DeepNetwork.layers(restored.model()).length - 1].conf().getLayer()).getLossFn()).getWeights();
    assertEquals(3.0, weights.getDouble(6), 1e-6);
    assertEquals(1.0, weights.getDouble(0), 1e-6);
  }
}
