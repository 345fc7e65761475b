package io.fmnist.classical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fmnist.errors.UsageException;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;

class SparkParamsTest {

  @Test
  void configKeysSetTheEstimatorsParametersWithTheirTypes() {
    LogisticRegression lr = new LogisticRegression();
    SparkParams.apply(lr, ConfigFactory.parseString("max-iter = 7, reg-param = 0, fit-intercept = false"), "lr");
    assertEquals(7, lr.getMaxIter());
    assertEquals(0.0, lr.getRegParam());
    assertEquals(false, lr.getFitIntercept());

    RandomForestClassifier rf = new RandomForestClassifier();
    SparkParams.apply(rf, ConfigFactory.parseString("max-memory-in-mb = 1024, feature-subset-strategy = sqrt"), "rf");
    assertEquals(1024, rf.getMaxMemoryInMB());
    assertEquals("sqrt", rf.getFeatureSubsetStrategy());

    MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier();
    SparkParams.apply(mlp, ConfigFactory.parseString("layers = [4, 3, 2]"), "mlp");
    assertArrayEquals(new int[] {4, 3, 2}, mlp.getLayers());
  }

  @Test
  void gridListsBecomeEveryCombination() {
    LogisticRegression lr = new LogisticRegression();
    ParamMap[] grid = SparkParams.grid(lr,
        ConfigFactory.parseString("reg-param = [0.1, 0.01], elastic-net-param = [0, 0.5, 1]"), "lr.grid");
    assertEquals(6, grid.length);
    assertEquals(1, SparkParams.grid(lr, ConfigFactory.empty(), "lr.grid").length);
  }

  @Test
  void misspeltParametersNameTheKeyAndListTheRealOnes() {
    UsageException e = assertThrows(UsageException.class,
        () -> SparkParams.apply(new LogisticRegression(), ConfigFactory.parseString("max-iters = 7"), "classical.lr.params"));
    assertTrue(e.getMessage().startsWith("classical.lr.params.max-iters: LogisticRegression has no parameter"), e.getMessage());
    assertTrue(e.getMessage().contains("maxIter"), e.getMessage());

    assertThrows(UsageException.class,
        () -> SparkParams.grid(new LogisticRegression(), ConfigFactory.parseString("reg-param = 0.1"), "g"));
  }
}
