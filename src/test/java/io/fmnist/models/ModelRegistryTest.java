package io.fmnist.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.UsageException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

  private final ModelRegistry defaults = ModelRegistry.of(AppConfig.defaults());

  @Test
  void everyFamilyIsInTheOneRegistryWithWhatItConsumes() {
    assertEquals(List.of("lr", "rf", "svm", "mlp", "hybrid-lr", "hybrid-rf", "cnn", "resnet", "cnn-specialist",
        "resnet-specialist", "ensemble"), defaults.names());
    assertEquals(new ModelSpec("resnet-specialist", ModelSpec.Family.DL4J, List.of("resnet")),
        defaults.spec("resnet-specialist"));
    assertEquals(new ModelSpec("hybrid-lr", ModelSpec.Family.MLLIB, List.of("resnet")), defaults.spec("hybrid-lr"));
    assertEquals(List.of("cnn"), defaults.spec("hybrid-rf").consumes());
    assertEquals(ModelSpec.Family.DL4J, defaults.spec("resnet").family());
    assertEquals(ModelSpec.Family.ENSEMBLE, defaults.spec("ensemble").family());
  }

  @Test
  void consumersTrainAfterWhatTheyConsumeOtherwiseInTheRequestedOrder() {
    assertEquals(List.of("lr", "resnet", "hybrid-lr", "cnn", "ensemble"),
        defaults.order(List.of("ensemble", "hybrid-lr", "lr", "resnet", "cnn"), List.of()));
    // Bases trained in the run already: the ensemble alone, or a hybrid alone.
    assertEquals(List.of("ensemble"), defaults.order(List.of("ensemble"), List.of("lr", "cnn", "resnet")));
    assertEquals(List.of("hybrid-rf"), defaults.order(List.of("hybrid-rf"), List.of("cnn")));
    assertEquals(List.of("cnn", "cnn-specialist"), defaults.order(List.of("cnn-specialist", "cnn"), List.of()));
  }

  @Test
  void missingOrTooFewBasesAreUsageErrors() {
    UsageException hybrid = assertThrows(UsageException.class, () -> defaults.order(List.of("lr", "hybrid-lr"), List.of()));
    assertTrue(hybrid.getMessage().contains("hybrid-lr needs the model resnet"), hybrid.getMessage());
    UsageException alone = assertThrows(UsageException.class, () -> defaults.order(List.of("ensemble", "lr"), List.of()));
    assertTrue(alone.getMessage().contains("at least two base models"), alone.getMessage());
    ModelRegistry configured = ModelRegistry.of(AppConfig.load(null,
        List.of("ensemble.base-models=[lr,svm,cnn]"), new Configuration(false)));
    UsageException missing = assertThrows(UsageException.class,
        () -> configured.order(List.of("ensemble", "lr", "cnn"), List.of()));
    assertTrue(missing.getMessage().contains("ensemble needs the model svm"), missing.getMessage());
    UsageException specialist = assertThrows(UsageException.class,
        () -> defaults.order(List.of("resnet-specialist"), List.of("cnn")));
    assertTrue(specialist.getMessage().contains("resnet-specialist needs the model resnet"), specialist.getMessage());
    assertThrows(UsageException.class, () -> defaults.order(List.of("knn"), List.of()));
  }
}
