package io.fmnist.classical;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.eval.Predictions;
import io.fmnist.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** All four MLlib models trained once on a real subset (3,000 training, 1,000 test images), then checked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassicalTrainerTest {

  private final SparkSession spark = TestSpark.session();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();
  @TempDir static Path tmp;
  private AppConfig config;
  private TrainingData data;
  private RunDirectory run;
  private final Map<String, ModelMetrics> metrics = new java.util.HashMap<>();

  @BeforeAll
  void trainEveryModel() {
    Path input = FashionMnist.subset(tmp.resolve("idx"), 3000, 1000, true);
    config = AppConfig.load("conf/quick.conf", List.of(), hadoop);
    String dataset = tmp.resolve("data").toString();
    new Ingest(spark, config.classNames(), 1000).run(input.toString(), dataset, false);
    data = TrainingData.load(spark, dataset, config);
    run = RunDirectory.create(tmp.resolve("run").toString(), false, hadoop);
    ClassicalTrainer trainer = new ClassicalTrainer(spark, config, run);
    // The hybrids need a trained network: CompositeModelsTest trains them.
    for (String model : List.of("lr", "rf", "svm", "mlp")) {
      metrics.put(model, trainer.train(model, data));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "svm", "mlp"})
  void accuracyIsFarAboveChance(String model) {
    // Chance is 0.10; a pipeline that scrambles pixels, labels or features stays far below.
    assertTrue(metrics.get(model).accuracy() > 0.75, model + ": " + metrics.get(model).accuracy());
    assertTrue(metrics.get(model).validationAccuracy() > 0.7, model + " validation");
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "svm", "mlp"})
  void savedModelLoadsBackAndPredictsTheSame(String model) {
    PipelineModel loaded = PipelineModel.load(run.model(model).toString());
    List<Row> again = Predictions.fromModelOutput(loaded.transform(data.test())).orderBy("id").collectAsList();
    List<Row> written = predictions(model).orderBy("id").collectAsList();
    assertEquals(1000, written.size());
    assertEquals(written, again);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lr", "rf", "svm", "mlp"})
  void metricsAgreeWithAnIndependentCountOfThePredictions(String model) {
    ModelMetrics written = ModelMetrics.read(run.metrics(model), hadoop);
    List<Row> rows = predictions(model).collectAsList();
    long[][] confusion = new long[10][10];
    long correct = 0;
    for (Row row : rows) {
      int label = row.getInt(row.fieldIndex("label"));
      int prediction = row.getInt(row.fieldIndex("prediction"));
      confusion[label][prediction]++;
      correct += label == prediction ? 1 : 0;
    }
    assertEquals((double) correct / rows.size(), written.accuracy(), 1e-12);
    for (int c = 0; c < 10; c++) {
      assertArrayEquals(confusion[c], written.confusionMatrix()[c], "row " + c);
      long predicted = 0;
      for (int r = 0; r < 10; r++) {
        predicted += confusion[r][c];
      }
      double precision = (double) confusion[c][c] / predicted;
      double recall = (double) confusion[c][c] / java.util.Arrays.stream(confusion[c]).sum();
      assertEquals(precision, written.perClass().get(c).precision(), 1e-12);
      assertEquals(2 * precision * recall / (precision + recall), written.perClass().get(c).f1(), 1e-12);
    }
    assertEquals("Shirt", written.perClass().get(6).name());
    assertTrue(written.trainSeconds() > 0);
    assertTrue(written.inferenceImagesPerSecond() > 0);
  }

  @Test
  void scoresAreProbabilitiesWhereTheModelGivesThemElseRawScores() {
    for (String model : List.of("lr", "rf", "mlp")) {
      Dataset<Row> rows = predictions(model);
      assertTrue(List.of(rows.columns()).contains(Predictions.PROBABILITIES), model);
      Row first = rows.first();
      double sum = first.<Double>getList(first.fieldIndex(Predictions.PROBABILITIES)).stream()
          .mapToDouble(Double::doubleValue).sum();
      assertEquals(1.0, sum, 1e-6, model);
    }
    assertTrue(List.of(predictions("svm").columns()).contains(Predictions.SCORES));
  }

  @Test
  void sameSeedAndDataGiveTheSameModel() {
    RunDirectory again = RunDirectory.create(tmp.resolve("again").toString(), false, hadoop);
    ModelMetrics second = new ClassicalTrainer(spark, config, again).train("lr", data);
    assertEquals(metrics.get("lr").accuracy(), second.accuracy());
    assertEquals(metrics.get("lr").validationAccuracy(), second.validationAccuracy());
    assertTrue(java.util.Arrays.deepEquals(metrics.get("lr").confusionMatrix(), second.confusionMatrix()));
    assertTrue(Files.isDirectory(Path.of(again.model("lr").toUri())));
  }

  private Dataset<Row> predictions(String model) {
    return spark.read().parquet(run.predictions(model).toString()).select(col("*"));
  }
}
