package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.TestSpark;
import io.fmnist.deep.NetworkFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The models that consume other models, on a real subset: a hybrid (the CNN's features into a
 * logistic regression) and the stacked ensemble over every other model, trained in one run whose
 * {@code --models} lists the ensemble first (the registry orders them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositeModelsTest {

  @TempDir static Path tmp;
  private Path data;
  private Path run;
  private Cli train;

  @BeforeAll
  void trainTheBasesAndTheComposites() {
    Path idx = FashionMnist.subset(tmp.resolve("idx"), 3000, 500, true);
    data = tmp.resolve("data");
    run = tmp.resolve("run");
    assertEquals(0, Cli.run("ingest", "--input", idx.toString(), "--output", data.toString()).code());
    train = Cli.run("train", "--conf", "conf/quick.conf", "--data", data.toString(), "--output", run.toString(),
        "--models", "ensemble,hybrid-lr,lr,mlp,cnn", "--set", "classical.hybrid-lr.features=[cnn]",
        "--set", "deep.cnn.epochs=2");
  }

  @Test
  void compositesTrainAfterTheirBasesAndClearTheirBars() throws Exception {
    assertEquals(0, train.code(), train.err());
    List<String> order = train.out().lines().filter(line -> line.contains("test accuracy"))
        .map(line -> line.split("\\s+")[0]).toList();
    assertEquals(List.of("lr", "mlp", "cnn", "hybrid-lr", "ensemble"), order, train.out());
    for (String model : List.of("lr", "mlp", "cnn", "hybrid-lr")) {
      assertEquals(300, TestSpark.session().read().parquet(run.resolve("validation/" + model).toString())
          .count(), 0.1 * 3000 * 0.25, model + ": the validation split's predictions (a seeded tenth)");
    }
    JsonNode ensemble = json(run.resolve("metrics/ensemble.json"));
    JsonNode hybrid = json(run.resolve("metrics/hybrid-lr.json"));
    assertTrue(hybrid.get("accuracy").asDouble() > 0.7, hybrid.toString());
    double best = Stream.of("lr", "mlp", "cnn", "hybrid-lr")
        .mapToDouble(model -> json(run.resolve("metrics/" + model + ".json")).get("accuracy").asDouble()).max().orElse(0);
    // A stacker on 300 validation images: at least near its best base.
    assertTrue(ensemble.get("accuracy").asDouble() > best - 0.03, ensemble.get("accuracy") + " vs " + best);
    assertEquals(List.of("cnn", "hybrid-lr", "lr", "mlp"),
        new ObjectMapper().convertValue(json(run.resolve("models/ensemble/ensemble.json")).get("bases"), List.class));
    // Its own validation predictions are out-of-fold: every validation image, each once.
    List<Row> validation = rows(run.resolve("validation/ensemble"));
    assertEquals(rows(run.resolve("validation/lr")).stream().map(r -> r.getAs("id")).toList(),
        validation.stream().map(r -> r.getAs("id")).toList());
    assertTrue(ensemble.at("/chosenParams/validation-f1/Shirt").isNumber(), ensemble.toString());
    for (String baseline : List.of("ensemble-vote", "ensemble-selection")) {
      assertTrue(json(run.resolve("metrics/" + baseline + ".json")).get("accuracy").asDouble() > 0.7, baseline);
    }
  }

  @Test
  void theStackerNeverSeesTheTestPredictions() throws Exception {
    Path copy = tmp.resolve("garbled");
    FileUtils.copyDirectory(run.toFile(), copy.toFile());
    // Every base's test predictions replaced by nonsense: labels shifted, scores reversed.
    for (String base : List.of("lr", "mlp", "cnn", "hybrid-lr")) {
      Path predictions = copy.resolve("predictions/" + base);
      Dataset<Row> garbled = TestSpark.session().read().parquet(predictions.toString())
          .withColumn("label", functions.pmod(functions.col("label").plus(3), functions.lit(10)))
          .withColumn("probabilities", functions.reverse(functions.col("probabilities")))
          .localCheckpoint();
      garbled.write().mode(SaveMode.Overwrite).parquet(predictions.toString());
    }
    for (String stale : List.of("models/ensemble", "predictions/ensemble", "validation/ensemble",
        "metrics/ensemble.json")) {
      FileUtils.forceDelete(copy.resolve(stale).toFile());
    }
    Cli again = Cli.run("train", "--conf", "conf/quick.conf", "--data", data.toString(), "--output", copy.toString(),
        "--models", "ensemble", "--resume");
    assertEquals(0, again.code(), again.err());
    LogisticRegressionModel original = LogisticRegressionModel.load(run.resolve("models/ensemble/stacker").toString());
    LogisticRegressionModel refitted = LogisticRegressionModel.load(copy.resolve("models/ensemble/stacker").toString());
    assertArrayEquals(original.coefficientMatrix().toArray(), refitted.coefficientMatrix().toArray());
    assertArrayEquals(original.interceptVector().toArray(), refitted.interceptVector().toArray());
    // ...while the test set did reach its predictions: the garbled labels are now the truth.
    assertTrue(json(copy.resolve("metrics/ensemble.json")).get("accuracy").asDouble() < 0.3);
  }

  @Test
  void predictWithTheEnsembleGivesThePipelinesPredictions() throws Exception {
    Path out = tmp.resolve("predicted");
    Cli predict = Cli.run("predict", "--conf", "conf/quick.conf", "--model", run.resolve("models/ensemble").toString(),
        "--input", data.toString(), "--output", out.toString());
    assertEquals(0, predict.code(), predict.err());
    List<Row> expected = rows(run.resolve("predictions/ensemble"));
    List<Row> actual = rows(out);
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).getAs("prediction"), actual.get(i).<Integer>getAs("prediction"), "image " + i);
      assertArrayEquals(probabilities(expected.get(i)), probabilities(actual.get(i)), 1e-9, "image " + i);
    }
  }

  @Test
  void theHybridsNetworkFeaturesSaveLoadAndRepeat() throws Exception {
    Dataset<Row> images = TestSpark.session().read().parquet(data.resolve("test").toString()).limit(64);
    NetworkFeatures features = new NetworkFeatures().setModel(run.resolve("models/cnn").toString());
    Path saved = tmp.resolve("network-features");
    features.write().save(saved.toString());
    NetworkFeatures loaded = NetworkFeatures.load(saved.toString());
    assertEquals(features.getModel(), loaded.getModel());
    List<Row> first = features.transform(images).orderBy("id").collectAsList();
    List<Row> second = loaded.transform(images).orderBy("id").collectAsList();
    assertEquals(64, first.size());
    for (int i = 0; i < first.size(); i++) {
      Vector a = first.get(i).getAs(features.getOutputCol());
      Vector b = second.get(i).getAs(loaded.getOutputCol());
      assertEquals(128, a.size(), "the CNN's dense layer");
      assertArrayEquals(a.toArray(), b.toArray());
      assertTrue(a.numNonzeros() > 0);
    }
  }

  @Test
  void twoNetworksFeaturesChainInOneTransformation() {
    // A hybrid on two networks' features (features = [resnet, cnn]) runs two of these back to back,
    // and Spark hands the second the first's rows directly, without their schema.
    Dataset<Row> images = TestSpark.session().read().parquet(data.resolve("test").toString()).limit(64);
    String cnn = run.resolve("models/cnn").toString();
    NetworkFeatures first = new NetworkFeatures().setModel(cnn).setOutputCol("first");
    NetworkFeatures second = new NetworkFeatures().setModel(cnn).setOutputCol("second");
    List<Row> chained = second.transform(first.transform(images)).orderBy("id").collectAsList();
    List<Row> alone = first.transform(images).orderBy("id").collectAsList();
    assertEquals(64, chained.size());
    for (int i = 0; i < chained.size(); i++) {
      Row row = chained.get(i);
      assertEquals(alone.get(i).<Long>getAs("id"), row.<Long>getAs("id"));
      assertArrayEquals(alone.get(i).<Vector>getAs("first").toArray(), row.<Vector>getAs("first").toArray());
      assertArrayEquals(row.<Vector>getAs("first").toArray(), row.<Vector>getAs("second").toArray(), "image " + i);
    }
  }

  @Test
  void aMissingBaseModelIsAUsageErrorBeforeAnyWork() {
    Path empty = tmp.resolve("no-bases");
    Cli hybrid = Cli.run("train", "--conf", "conf/quick.conf", "--data", data.toString(), "--output", empty.toString(),
        "--models", "hybrid-rf");
    assertEquals(2, hybrid.code(), hybrid.err());
    assertTrue(hybrid.err().contains("hybrid-rf needs the model cnn"), hybrid.err());
    Cli ensemble = Cli.run("train", "--conf", "conf/quick.conf", "--data", data.toString(), "--output",
        empty.toString(), "--models", "ensemble,lr", "--set", "ensemble.base-models=[lr,svm]");
    assertEquals(2, ensemble.code(), ensemble.err());
    assertTrue(ensemble.err().contains("ensemble needs the model svm"), ensemble.err());
    assertFalse(Files.exists(empty.resolve("models")), "nothing trained");
  }

  private static double[] probabilities(Row row) {
    return row.<Double>getList(row.fieldIndex("probabilities")).stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static List<Row> rows(Path parquet) {
    return TestSpark.session().read().parquet(parquet.toString()).orderBy("id").collectAsList();
  }

  private static JsonNode json(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
