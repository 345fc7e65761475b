package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fmnist.config.AppConfig;
import io.fmnist.errors.UsageException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The epochs a time budget fits, from recorded epoch seconds (never the clock), and the re-planned
 * learning rate: a network whose schedule was shortened trains exactly as one configured with the
 * shorter schedule, keeping its updater and Adam's moments.
 */
class EpochBudgetTest {

  /** A history of epochs that took {@code seconds} each, in order. */
  private static TrainingHistory epochs(double... seconds) {
    TrainingHistory history = TrainingHistory.empty("cnn");
    for (int i = 0; i < seconds.length; i++) {
      history = history.plus(new TrainingHistory.Epoch(i + 1, 1.0, 0.5, 1.0, seconds[i], 100, 0.001));
    }
    return history;
  }

  @Test
  void withoutABudgetEveryConfiguredEpochTrains() {
    assertEquals(30, new EpochBudget(30, 0).plan(epochs(500, 500, 500)));
  }

  @Test
  void theFirstEpochAloneDoesNotSetThePaceUnlessItSpentTheBudget() {
    EpochBudget budget = new EpochBudget(30, 100);
    assertEquals(30, budget.plan(epochs()));
    assertEquals(30, budget.plan(epochs(60)), "60 s of warm-up and training is no pace");
    assertEquals(1, budget.plan(epochs(120)));
  }

  @Test
  void theEpochsLeftAreThoseTheBudgetFitsAtThePaceAfterTheFirst() {
    EpochBudget budget = new EpochBudget(30, 100);
    // 20 + 10 spent, 70 left at 10 s an epoch: 7 more.
    assertEquals(9, budget.plan(epochs(20, 10)));
    // 20 + 10 + 14 spent, 56 left at 12 s: 4 more.
    assertEquals(7, budget.plan(epochs(20, 10, 14)));
    assertEquals(30, new EpochBudget(30, 1000).plan(epochs(20, 10)), "never more than configured");
    assertEquals(3, budget.plan(epochs(20, 40, 40)), "spent: none more");
  }

  @Test
  void theBudgetIsADurationInTheConfiguration() {
    Config settings = ConfigFactory.parseString("epochs = 12, time-budget = 5 minutes");
    assertEquals(new EpochBudget(12, 300), EpochBudget.of(settings, "cnn"));
    assertEquals(0, EpochBudget.of(ConfigFactory.parseString("epochs = 12, time-budget = 0"), "cnn").seconds());
    UsageException bare = assertThrows(UsageException.class,
        () -> EpochBudget.of(ConfigFactory.parseString("epochs = 12, time-budget = 300"), "cnn"));
    assertEquals("deep.cnn.time-budget = 300: give its unit, for example 300s or 5 minutes", bare.getMessage());
  }

  @Test
  void aBudgetWithoutItsUnitIsRefusedBeforeAnyModelTrains() {
    AppConfig config = AppConfig.load(null, List.of("deep.resnet.time-budget=300"), new Configuration(false));
    List<String> classes = config.classNames();
    UsageException error = assertThrows(UsageException.class,
        () -> DeepTrainer.checkSettings(config, List.of("lr", "cnn", "resnet"), classes));
    assertEquals("deep.resnet.time-budget = 300: give its unit, for example 300s or 5 minutes", error.getMessage());
    // Only the networks that train are checked; the specialist has its own budget.
    DeepTrainer.checkSettings(config, List.of("lr", "cnn", "resnet-specialist"), classes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void aShortenedScheduleTrainsAsTheShorterScheduleConfigured(String model) {
    Config settings = LayerFixtures.settings(model, "NHWC");
    Config three = ConfigFactory.parseString("epochs = 3").withFallback(settings);
    DeepNetwork replanned = Architectures.create(model, settings, LayerFixtures.SHAPE, 3);
    replanned.setLearningRate(Architectures.learningRate(settings, 3));
    DeepNetwork configured = Architectures.create(model, three, LayerFixtures.SHAPE, 3);
    DataSet batch = LayerFixtures.realMinibatch();
    for (DeepNetwork network : new DeepNetwork[] {replanned, configured}) {
      network.setEpoch(2);
      network.fit(batch);
      network.fit(batch);
    }
    assertTrue(replanned.model().params().equals(configured.model().params()), "the same steps");
    // Every layer's last rate is the final one, not the 30-epoch schedule's third, also once saved and restored.
    double last = settings.getDouble("final-learning-rate");
    DeepNetwork restored = DeepNetwork.fromBytes(replanned.kind(), replanned.toBytes(true), true);
    for (DeepNetwork network : new DeepNetwork[] {replanned, restored}) {
      for (Layer layer : DeepNetwork.layers(network.model())) {
        if (layer.conf().getLayer() instanceof BaseLayer base && layer.numParams() > 0) {
          assertEquals(last, base.getIUpdater().getLearningRate(0, 2), 1e-12, base.getLayerName());
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void replanningTheScheduleKeepsTheUpdaterAndItsState(String model) {
    Config settings = LayerFixtures.settings(model, "NHWC");
    DeepNetwork network = Architectures.create(model, settings, LayerFixtures.SHAPE, 3);
    network.fit(LayerFixtures.realMinibatch());
    INDArray state = network.updaterState().dup();
    network.setLearningRate(Architectures.learningRate(settings, 5));
    assertTrue(state.equals(network.updaterState()), "Adam's moments");
    Object updater = network.model() instanceof MultiLayerNetwork sequential ? sequential.getUpdater()
        : ((ComputationGraph) network.model()).getUpdater();
    assertTrue(updater instanceof OwnGradientUpdater.Graph || updater instanceof OwnGradientUpdater.Sequential,
        updater.getClass().getName());
  }
}
