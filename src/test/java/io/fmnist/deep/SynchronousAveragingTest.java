package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.run.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

/**
 * Synchronous parameter averaging on real images in local[2]: one worker trains exactly as one
 * process does (Adam's count carrying on from round to round), two workers end with the mean of
 * their networks, and the learning-rate schedule reaches the workers epoch by epoch; a barrier
 * stage without its task slots fails within seconds.
 */
class SynchronousAveragingTest {

  private static final int BATCH = 32;
  private static final int ROUND = 4;
  private static final ImageShape SHAPE = new ImageShape(28, 28, 10);

  private final SparkSession spark = TestSpark.session();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();
  @TempDir Path tmp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // Spark's default checks would take 10 minutes
  void aBarrierStageWithMoreWorkersThanSlotsFailsAfterAFewChecks() {
    // What an executor lost just before an epoch is submitted leaves: the stage must fail (and the
    // epoch restart with the slots left) after SparkSessions' few checks, not Spark's 40 x 15 s.
    int slots = spark.sparkContext().defaultParallelism();
    JavaRDD<Integer> tooWide = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(List.of(1, 2, 3, 4, 5, 6), slots + 1);
    SparkException failed = assertThrows(SparkException.class,
        () -> tooWide.rdd().barrier().mapPartitions(rows -> rows, false, ClassTag$.MODULE$.apply(Integer.class))
            .count());
    assertTrue(failed.getMessage().contains("barrier"), failed.getMessage());
  }

  @Test
  void anEpochWhoseScheduledRateIsZeroLeavesTheWeightsAsTheyWere() {
    Path input = FashionMnist.subset(tmp.resolve("idx"), 1000, 200, false);
    String dataset = tmp.resolve("data").toString();
    // The seed ResNet cosine-annealed from 1e-3 to 0 over 2 epochs: epoch 2's rate is 0.
    List<String> schedule = List.of("deep.resnet.schedule=cosine", "deep.resnet.final-learning-rate=0",
        "deep.resnet.epochs=2");
    AppConfig stopAfterEpoch1 = config(schedule, "deep.patience=0");
    new Ingest(spark, stopAfterEpoch1.classNames(), 200).run(input.toString(), dataset, false);
    TrainingData data = TrainingData.load(spark, dataset, stopAfterEpoch1);
    RunDirectory run = RunDirectory.create(tmp.resolve("run").toString(), false, hadoop);
    Checkpoints checkpoints = new Checkpoints(run.checkpoints("resnet"), hadoop);

    new DeepTrainer(spark, stopAfterEpoch1, run, false).train("resnet", data);
    Checkpoints.Checkpoint first = checkpoints.latest(DeepNetwork.Kind.GRAPH).orElseThrow();
    new DeepTrainer(spark, config(schedule, "deep.patience=10"), run, true).train("resnet", data);
    Checkpoints.Checkpoint second = checkpoints.latest(DeepNetwork.Kind.GRAPH).orElseThrow();

    assertEquals(1, first.history().completedEpochs());
    assertEquals(2, second.history().completedEpochs());
    assertEquals(0.0, second.history().epochs().get(1).learningRate());
    // Trained weights (BatchNorm's running statistics move without a learning rate): unchanged by
    // epoch 2, where epoch 0's rate, 1e-3, would have moved them.
    for (String layer : List.of("stem", "stage2_block1_conv2", "output")) {
      INDArray before = weights(first, layer);
      assertNotEquals(0.0, before.normmaxNumber().doubleValue());
      assertEquals(before, weights(second, layer), layer);
    }
  }

  @Test
  void oneWorkerTrainsAsOneProcessDoes() {
    // The seed ResNet: Adam at a constant 1e-3, BatchNorm, no dropout, so one worker fitting its
    // minibatches computes what one process fitting them in the same order does.
    Dataset<Row> rows = rows(2 * ROUND * BATCH);
    DeepNetwork start = seedResnet();
    SynchronousAveraging averaging = new SynchronousAveraging(spark.sparkContext(), rows, new Workers(1, 1));
    try {
      SynchronousAveraging.Epoch epoch = averaging.fit(start, 0, builder(), BATCH, ROUND, 11, progress());
      DeepNetwork alone = start.copy();
      List<Row> partition = averaging.partitions(1).collectAsList();
      new Minibatches(builder(), BATCH, 11, 1).of(partition.iterator(), 0).forEachRemaining(alone::fit);

      assertEquals(2 * ROUND, alone.iterationCount());
      assertEquals(2 * ROUND, epoch.network().iterationCount());
      assertEquals(2L * ROUND * BATCH, epoch.images());
      assertNotEquals(0.0, alone.model().params().sub(start.model().params()).amaxNumber().doubleValue());
      assertEquals(0.0, alone.model().params().sub(epoch.network().model().params()).amaxNumber().doubleValue(),
          1e-6);
      assertEquals(0.0, alone.updaterState().sub(epoch.network().updaterState()).amaxNumber().doubleValue(), 1e-6);
    } finally {
      averaging.close();
    }
  }

  @Test
  void twoWorkersEndWithTheMeanOfTheirNetworks() {
    // One averaging round per worker: the result is the mean of what each worker alone would make.
    Dataset<Row> rows = rows(2 * ROUND * BATCH);
    DeepNetwork start = seedResnet();
    SynchronousAveraging averaging = new SynchronousAveraging(spark.sparkContext(), rows, new Workers(2, 1));
    try {
      SynchronousAveraging.Epoch epoch = averaging.fit(start, 0, builder(), BATCH, ROUND, 5, progress());
      List<List<Row>> partitions = averaging.partitions(2).javaRDD().glom().collect();
      INDArray params = Nd4j.zeros(start.model().params().shape());
      INDArray state = Nd4j.zeros(start.updaterState().shape());
      for (int p = 0; p < 2; p++) {
        assertEquals(ROUND * BATCH, partitions.get(p).size(), "rows of partition " + p);
        DeepNetwork alone = start.copy();
        new Minibatches(builder(), BATCH, 5, 1).of(partitions.get(p).iterator(), p).forEachRemaining(alone::fit);
        params.addi(alone.model().params().div(2));
        state.addi(alone.updaterState().div(2));
      }

      assertEquals(2, epoch.workers());
      assertEquals(ROUND, epoch.network().iterationCount());
      assertEquals(0.0, params.sub(epoch.network().model().params()).amaxNumber().doubleValue(), 1e-6);
      assertEquals(0.0, state.sub(epoch.network().updaterState()).amaxNumber().doubleValue(), 1e-6);
    } finally {
      averaging.close();
    }
  }

  @Test
  void aSeededEpochWithDropoutRepeatsExactly() {
    // The seed CNN's dropout draws its masks from each worker thread's ND4J generator; the same epoch
    // twice, on pool threads whose generators moved in between, must give the same network.
    Dataset<Row> rows = rows(2 * ROUND * BATCH);
    NativeRuntime.configure(1);
    DeepNetwork start = Architectures.create("cnn", config(List.of(), "deep.patience=0").config()
        .getConfig("deep.cnn"), SHAPE, 7);
    SynchronousAveraging averaging = new SynchronousAveraging(spark.sparkContext(), rows, new Workers(2, 1));
    try {
      INDArray first = averaging.fit(start, 0, builder(), BATCH, ROUND, 3, progress()).network().model().params();
      INDArray second = averaging.fit(start, 0, builder(), BATCH, ROUND, 3, progress()).network().model().params();
      assertNotEquals(0.0, first.sub(start.model().params()).amaxNumber().doubleValue());
      assertEquals(first, second);
    } finally {
      averaging.close();
    }
  }

  private DeepNetwork seedResnet() {
    NativeRuntime.configure(1);
    Config settings = config(List.of(), "deep.patience=0").config().getConfig("deep.resnet");
    return Architectures.create("resnet", settings, SHAPE, 7);
  }

  private Dataset<Row> rows(int count) {
    List<byte[]> images = FashionMnist.trainImages(count);
    int[] labels = FashionMnist.trainLabels(count);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(RowFactory.create(labels[i], images.get(i)));
    }
    StructType schema = new StructType().add(ParquetLayout.LABEL, DataTypes.IntegerType)
        .add(ParquetLayout.IMAGE, DataTypes.BinaryType);
    return spark.createDataFrame(rows, schema);
  }

  private static MinibatchBuilder builder() {
    return new MinibatchBuilder(SHAPE, Augmentation.NONE, 0);
  }

  private static TrainingProgress progress() {
    return new TrainingProgress("test", 1, 60);
  }

  private AppConfig config(List<String> sets, String patience) {
    List<String> all = new ArrayList<>(sets);
    all.add(patience);
    return AppConfig.load("conf/seed.conf", all, hadoop);
  }

  private static INDArray weights(Checkpoints.Checkpoint checkpoint, String layer) {
    return ((ComputationGraph) checkpoint.last().model()).getLayer(layer).params();
  }
}
