package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.UsageException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class SpecialistTest {

  @Test
  void composeDividesTheNetworksMassOnItsClassesInTheSpecialistsProportions() {
    Specialist specialist = new Specialist("resnet", List.of(0, 2));
    double[][] network = {{0.5, 0.2, 0.3}, {0.0, 1.0, 0.0}};
    // The specialist's own mass on its classes (0.8 and 0.0) does not matter, only their ratio.
    double[][] own = {{0.2, 0.2, 0.6}, {0.0, 1.0, 0.0}};
    specialist.compose(network, own);
    assertArrayEquals(new double[] {0.2, 0.2, 0.6}, network[0], 1e-12);
    // No mass anywhere among its classes: the network's (none) stays none.
    assertArrayEquals(new double[] {0.0, 1.0, 0.0}, network[1], 1e-12);
  }

  @Test
  void theDefaultsConfigureASpecialistForEachNetworkOnTheConfusableClasses() {
    AppConfig config = AppConfig.defaults();
    assertEquals(Map.of("cnn-specialist", "cnn", "resnet-specialist", "resnet"), DeepTrainer.specialists(config));
    Specialist resnet = Specialist.from(config.config().getConfig("deep"), "resnet-specialist", config.classNames());
    assertEquals(new Specialist("resnet", List.of(0, 2, 4, 6)), resnet);
    // Its own keys over the network's: the architecture is the ResNet's.
    var settings = Specialist.settings(config.config().getConfig("deep"), "resnet-specialist");
    assertEquals(config.config().getIntList("deep.resnet.widths"), settings.getIntList("widths"));
    assertEquals(config.config().getInt("deep.resnet-specialist.epochs"), settings.getInt("epochs"));
    // A specialist's own augmentation, targeted at its classes, overrides the network's.
    var shifted = Specialist.settings(AppConfig.load(null, List.of("deep.resnet-specialist.augment.shift=1"),
        new Configuration(false)).config().getConfig("deep"), "resnet-specialist");
    assertEquals(new Augmentation(1, true), Augmentation.from(shifted));
  }

  @Test
  void aSpecialistForClassesTheDataSetLacksIsRefusedBeforeAnyTraining() {
    AppConfig config = AppConfig.load(null, List.of(), new Configuration(false));
    UsageException error = assertThrows(UsageException.class,
        () -> DeepTrainer.checkSettings(config, List.of("lr", "resnet-specialist"), List.of("cat", "dog")));
    assertTrue(error.getMessage().contains("deep.resnet-specialist.classes: the data set has no class 'T-shirt/top'"),
        error.getMessage());
    // Models that are no specialists need nothing of the classes.
    DeepTrainer.checkSettings(config, List.of("lr", "resnet"), List.of("cat", "dog"));
  }
}
