package io.fmnist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.errors.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

  private static final Configuration HADOOP = new Configuration();

  @Test
  void defaultsNameTheTenFashionMnistClasses() {
    AppConfig config = AppConfig.defaults();
    assertEquals(10, config.classNames().size());
    assertEquals("Ankle boot", config.classNames().get(9));
    assertEquals("local[*]", config.defaultMaster());
    assertEquals(List.of("lr", "rf", "svm", "mlp", "cnn", "resnet", "resnet-specialist", "hybrid-lr", "hybrid-rf",
        "ensemble"),
        config.config().getStringList("train.models"));
  }

  @Test
  void fileLayersOverDefaultsAndSetOverridesBoth(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("my.conf"), "seed = 7\ndata.images-per-partition = 500\n");

    AppConfig config = AppConfig.load(file.toString(),
        List.of("seed=11", "spark.default-master=local[2]", "train.models=[lr, cnn]"), HADOOP);

    assertEquals(11, config.seed());
    assertEquals(500, config.imagesPerPartition());
    assertEquals("local[2]", config.defaultMaster());
    assertEquals(List.of("lr", "cnn"), config.config().getStringList("train.models"));
    assertEquals(0.1, config.config().getDouble("data.validation-fraction"));
  }

  @Test
  void profilesLoadOverTheDefaults() throws Exception {
    AppConfig quick = AppConfig.load("conf/quick.conf", List.of(), HADOOP);
    assertEquals(6000, quick.config().getInt("data.train-limit"));
    assertEquals(AppConfig.defaults().classNames(), quick.classNames());
    AppConfig pixels = AppConfig.load("conf/pixels.conf", List.of(), HADOOP);
    assertEquals(List.of("pixels"), pixels.config().getStringList("classical.rf.features"));
    try (var profiles = Files.list(Path.of("conf"))) {
      for (Path profile : profiles.filter(p -> p.toString().endsWith(".conf")).toList()) {
        AppConfig.load(profile.toString(), List.of(), HADOOP);
      }
    }
  }

  @Test
  void sparkParameterNamesAreFreeUnderParamsAndGrid() {
    AppConfig config = AppConfig.load(null, List.of("classical.rf.params.max-memory-in-mb=512",
        "classical.lr.grid.reg-param=[0.1, 0.01]"), HADOOP);
    assertEquals(512, config.config().getInt("classical.rf.params.max-memory-in-mb"));
    assertEquals(2, config.config().getList("classical.lr.grid.reg-param").size());
    assertThrows(UsageException.class,
        () -> AppConfig.load(null, List.of("classical.knn.params.k=3"), HADOOP));
  }

  @Test
  void unknownKeysAreRefused(@TempDir Path tmp) throws Exception {
    UsageException set = assertThrows(UsageException.class,
        () -> AppConfig.load(null, List.of("dta.images-per-partition=5"), HADOOP));
    assertTrue(set.getMessage().contains("unknown configuration key 'dta.images-per-partition'"), set.getMessage());

    Path file = Files.writeString(tmp.resolve("typo.conf"), "deep.cnn.epohcs = 3\n");
    UsageException inFile = assertThrows(UsageException.class,
        () -> AppConfig.load(file.toString(), List.of(), HADOOP));
    assertTrue(inFile.getMessage().startsWith(file.toString()), inFile.getMessage());
    assertTrue(inFile.getMessage().contains("deep.cnn.epohcs"), inFile.getMessage());
  }

  @Test
  void wrongTypesAndMissingFilesAreRefused() {
    UsageException type = assertThrows(UsageException.class,
        () -> AppConfig.load(null, List.of("seed=many"), HADOOP));
    assertTrue(type.getMessage().contains("seed"), type.getMessage());

    UsageException missing = assertThrows(UsageException.class,
        () -> AppConfig.load("/nonexistent/x.conf", List.of(), HADOOP));
    assertTrue(missing.getMessage().contains("/nonexistent/x.conf: configuration file not found"), missing.getMessage());

    assertThrows(UsageException.class, () -> AppConfig.load(null, List.of("novalue"), HADOOP));
  }
}
