package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.eval.Predictions;
import io.fmnist.explain.GradCamGallery;
import io.fmnist.run.RunDirectory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both DL4J networks trained once by parameter averaging in local[2] on a real subset (4,000
 * training, 1,000 test images, conf/quick.conf), then checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeepTrainerTest {

  private static final String SPECIALIST = "resnet-specialist";
  /** The specialist's classes: T-shirt/top, Pullover, Coat, Shirt. */
  private static final List<Integer> CONFUSED = List.of(0, 2, 4, 6);

  private final SparkSession spark = TestSpark.session();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();
  @TempDir static Path tmp;
  private AppConfig config;
  private TrainingData data;
  private RunDirectory run;
  private final Map<String, ModelMetrics> metrics = new HashMap<>();

  @BeforeAll
  void trainBothNetworks() {
    Path input = FashionMnist.subset(tmp.resolve("idx"), 4000, 1000, false);
    config = AppConfig.load("conf/quick.conf", List.of(), hadoop);
    String dataset = tmp.resolve("data").toString();
    new Ingest(spark, config.classNames(), 1000).run(input.toString(), dataset, false);
    data = TrainingData.load(spark, dataset, config);
    run = RunDirectory.create(tmp.resolve("run").toString(), false, hadoop);
    DeepTrainer trainer = new DeepTrainer(spark, config, run, false);
    for (String model : DeepTrainer.models()) {
      metrics.put(model, trainer.train(model, data));
    }
    metrics.put(SPECIALIST, trainer.train(SPECIALIST, data));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet", SPECIALIST})
  void accuracyIsFarAboveChance(String model) {
    // Chance is 0.10; scrambled pixels, labels or NCHW layout, or a worker that never learns, stay far below.
    assertTrue(metrics.get(model).accuracy() > 0.6, model + ": " + metrics.get(model).accuracy());
    assertTrue(metrics.get(model).validationAccuracy() > 0.6, model + " validation");
  }

  @Test
  void seedNetworksHaveTheSeedsParameterCounts() {
    ImageShape shape = new ImageShape(28, 28, 10);
    AppConfig seed = AppConfig.load("conf/seed.conf", List.of(), hadoop);
    assertEquals(241_546, Architectures.create("cnn", seed.config().getConfig("deep.cnn"), shape, 1).numParams());
    // 38,154 counts BatchNorm's running mean and variance, as Keras' summary does.
    assertEquals(38_154,
        Architectures.create("resnet", seed.config().getConfig("deep.resnet"), shape, 1).numParams());
  }

  @Test
  void widerSecondStageAddsAProjectionShortcut() {
    ImageShape shape = new ImageShape(28, 28, 10);
    var settings = AppConfig.load("conf/seed.conf", List.of("deep.resnet.widths=[32, 64]"), hadoop)
        .config().getConfig("deep.resnet");
    // stem 320 + stage 1 (32 -> 32) 18,752 + stage 2 (32 -> 64: 1x1 projection 2,112 and its
    // BatchNorm 256, convolutions 18,496 + 36,928, BatchNorms 512) 58,304 + output 650.
    assertEquals(78_026, Architectures.create("resnet", settings, shape, 1).numParams());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet", SPECIALIST})
  void savedModelLoadsBackAndPredictsTheSame(String model) {
    String dir = run.model(model).toString();
    SavedDeepModel saved = SavedDeepModel.describe(dir, hadoop);
    assertEquals(new ImageShape(28, 28, 10), saved.shape());
    String network = model.equals(SPECIALIST) ? "resnet" : model;
    assertEquals(config.config().getBoolean("deep." + network + ".test-time-flip"), saved.testTimeFlip());
    assertEquals(model.equals(SPECIALIST) ? new Specialist("resnet", CONFUSED) : null, saved.specialist());
    // Another inference batch size than the run's: oneDNN may sum in another order, so probabilities
    // agree to float precision rather than bit for bit.
    List<Row> again = saved.predict(dir, data.test(), 100, 1, hadoop).orderBy("id").collectAsList();
    List<Row> written = spark.read().parquet(run.predictions(model).toString()).orderBy("id").collectAsList();
    assertEquals(1000, written.size());
    assertEquals(1000, again.size());
    for (int i = 0; i < written.size(); i++) {
      Row expected = written.get(i);
      Row actual = again.get(i);
      assertEquals(expected.<Long>getAs("id"), actual.<Long>getAs("id"));
      assertEquals(expected.<Integer>getAs("label"), actual.<Integer>getAs("label"));
      double[] p = probabilities(expected);
      double[] q = probabilities(actual);
      for (int c = 0; c < p.length; c++) {
        assertEquals(p[c], q[c], 1e-5, "image " + i + " class " + c);
      }
      assertEquals(1.0, java.util.Arrays.stream(p).sum(), 1e-5);
    }
  }

  @Test
  void flipAveragedPredictionsAreTheMeanOverTheImageAndItsMirror() {
    String dir = run.model("resnet").toString();
    SavedDeepModel saved = SavedDeepModel.describe(dir, hadoop);
    DeepNetwork network = saved.load(dir, hadoop);
    List<Row> rows = data.test().orderBy("id").limit(50).collectAsList();
    float[] pixels = MinibatchBuilder.scaled(rows.stream().map(r -> r.<byte[]>getAs("image")).toList(), saved.shape());
    long[] nchw = {rows.size(), 1, 28, 28};
    double[][] plain = network.output(Nd4j.create(pixels, nchw, 'c')).toDoubleMatrix();
    double[][] mirror = network.output(Nd4j.create(MinibatchBuilder.mirrored(pixels, saved.shape()), nchw, 'c'))
        .toDoubleMatrix();
    List<Row> averaged = DeepInference.predict(network, data.test().orderBy("id").limit(50), saved.shape(),
        true, 256, 1).orderBy("id").collectAsList();
    double largestDifference = 0;
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(rows.get(i).<Long>getAs("id"), averaged.get(i).<Long>getAs("id"));
      double[] p = probabilities(averaged.get(i));
      for (int c = 0; c < p.length; c++) {
        assertEquals((plain[i][c] + mirror[i][c]) / 2, p[c], 1e-5, "image " + i + " class " + c);
        largestDifference = Math.max(largestDifference, Math.abs(plain[i][c] - mirror[i][c]));
      }
    }
    // The mirror image really is another input: a no-op "mirror" would make both passes equal.
    assertTrue(largestDifference > 0.01, "largest difference " + largestDifference);
  }

  private static double[] probabilities(Row row) {
    return row.<Double>getList(row.fieldIndex(Predictions.PROBABILITIES)).stream()
        .mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void specialistRedividesOnlyTheNetworksProbabilityOfItsClasses() {
    List<Row> network = spark.read().parquet(run.predictions("resnet").toString()).orderBy("id").collectAsList();
    List<Row> specialist = spark.read().parquet(run.predictions(SPECIALIST).toString()).orderBy("id").collectAsList();
    assertEquals(network.size(), specialist.size());
    double largestMove = 0;
    for (int i = 0; i < network.size(); i++) {
      assertEquals(network.get(i).<Long>getAs("id"), specialist.get(i).<Long>getAs("id"));
      double[] p = probabilities(network.get(i));
      double[] q = probabilities(specialist.get(i));
      double mass = 0;
      double specialistMass = 0;
      for (int c = 0; c < p.length; c++) {
        if (CONFUSED.contains(c)) {
          mass += p[c];
          specialistMass += q[c];
          largestMove = Math.max(largestMove, Math.abs(p[c] - q[c]));
        } else {
          assertEquals(p[c], q[c], 1e-6, "image " + i + " class " + c);
        }
      }
      assertEquals(mass, specialistMass, 1e-6, "image " + i);
    }
    // The fine-tuned network really answers differently among its classes than the one it started from.
    assertTrue(largestMove > 0.01, "largest move " + largestMove);
  }

  @Test
  void gradCamRefusesASpecialistNamingItsNetwork() {
    UsageException error = assertThrows(UsageException.class,
        () -> new GradCamGallery(spark, config.classNames(), 2, 1, 8)
            .write(run, SPECIALIST, tmp.resolve("data").toString(), false));
    assertTrue(error.getMessage().contains("explain the network it refines, resnet"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void gradCamGalleryHasTwoCorrectAndOneWrongImagePerClassWhereTheyExistAsReadablePngs(String model) throws Exception {
    List<GradCamGallery.Entry> entries = new GradCamGallery(spark, config.classNames(), 2, 1, 8)
        .write(run, model, tmp.resolve("data").toString(), false);
    List<Row> predictions = spark.read().parquet(run.predictions(model).toString()).collectAsList();
    for (int label = 0; label < 10; label++) {
      String name = config.classNames().get(label);
      int finalLabel = label;
      long wrongExist = predictions.stream().filter(r -> r.<Integer>getAs("label") == finalLabel
          && r.<Integer>getAs("prediction") != finalLabel).count();
      long correctExist = predictions.stream().filter(r -> r.<Integer>getAs("label") == finalLabel
          && r.<Integer>getAs("prediction") == finalLabel).count();
      assertEquals(Math.min(2, correctExist),
          entries.stream().filter(e -> e.trueClass().equals(name) && e.correct()).count(), name);
      assertEquals(Math.min(1, wrongExist), entries.stream().filter(e -> e.trueClass().equals(name) && !e.correct())
          .count(), name);
    }
    for (GradCamGallery.Entry entry : entries) {
      java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(
          tmp.resolve("run/explain/" + model + "/" + entry.file()).toFile());
      assertTrue(png.getWidth() >= 3 * 28 * 8 && png.getHeight() >= 28 * 8, entry.file());
      assertEquals(entry.correct(), entry.trueClass().equals(entry.predictedClass()));
      assertTrue(entry.confidence() > 0 && entry.confidence() <= 1);
    }
    assertTrue(java.nio.file.Files.exists(tmp.resolve("run/explain/" + model + "/index.json")));
  }

  @Test
  void aSpentTimeBudgetEndsTrainingAfterTheEpochThatSpentItAlsoWhenResumed() {
    AppConfig budgeted = AppConfig.load("conf/quick.conf", List.of("deep.cnn.time-budget=1ms"), hadoop);
    RunDirectory budgetRun = RunDirectory.create(tmp.resolve("budget-run").toString(), false, hadoop);
    ModelMetrics trained = new DeepTrainer(spark, budgeted, budgetRun, false).train("cnn", data);
    assertEquals(1, TrainingHistory.read(budgetRun.history("cnn"), hadoop).completedEpochs(),
        "of " + budgeted.config().getInt("deep.cnn.epochs"));
    assertEquals(1, trained.chosenParams().get("epochs-planned"));
    assertEquals(config.config().getInt("deep.cnn.epochs"),
        metrics.get("cnn").chosenParams().get("epochs-planned"), "unbudgeted: as configured");
    // Resumed, the run goes on with the time it had left: none.
    ModelMetrics resumed = new DeepTrainer(spark, budgeted, budgetRun, true).train("cnn", data);
    assertEquals(1, TrainingHistory.read(budgetRun.history("cnn"), hadoop).completedEpochs());
    assertEquals(1, resumed.chosenParams().get("epochs-planned"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "resnet"})
  void historyRecordsEveryEpochAndTheBestIsTheSavedOne(String model) {
    TrainingHistory history = TrainingHistory.read(run.history(model), hadoop);
    int epochs = config.config().getInt("deep." + model + ".epochs");
    assertEquals(epochs, history.completedEpochs());
    for (int i = 0; i < epochs; i++) {
      TrainingHistory.Epoch epoch = history.epochs().get(i);
      assertEquals(i + 1, epoch.epoch());
      assertTrue(epoch.trainLoss() > 0 && Double.isFinite(epoch.trainLoss()), "loss " + epoch);
      assertTrue(epoch.imagesPerSecond() > 0);
    }
    // Training lowers the loss: the last epoch's is below the first's.
    assertTrue(history.epochs().get(epochs - 1).trainLoss() < history.epochs().get(0).trainLoss());
    assertEquals(history.best().validationAccuracy(), metrics.get(model).validationAccuracy(), 1e-12);
  }
}
