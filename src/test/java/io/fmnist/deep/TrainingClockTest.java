package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.run.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The networks on the Spark workers train on the driver's clock: the learning-rate schedule
 * advances epoch by epoch, and Adam's bias correction counts on across averaging rounds. For a
 * {@code ComputationGraph} DL4J's parameter averaging alone trains every epoch at epoch 0's rate
 * and starts Adam's count again at every round.
 */
class TrainingClockTest {

  private static final int BATCH = 32;
  private static final int ROUND = 4;

  private final SparkSession spark = TestSpark.session();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();
  @TempDir Path tmp;

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
  void oneWorkersAveragingRoundsTrainAsOneProcessDoes() {
    NativeRuntime.configure(1);
    ImageShape shape = new ImageShape(28, 28, 10);
    int count = 2 * ROUND * BATCH;
    List<byte[]> images = FashionMnist.trainImages(count);
    int[] labels = FashionMnist.trainLabels(count);
    int[] order = IntStream.range(0, count).toArray();
    MinibatchBuilder builder = new MinibatchBuilder(shape, Augmentation.NONE, 0);
    List<DataSet> minibatches = new ArrayList<>();
    for (int from = 0; from < count; from += BATCH) {
      minibatches.add(builder.build(images, labels, order, from, from + BATCH, new Random(0)));
    }
    // The seed ResNet: Adam at a constant 1e-3, BatchNorm, no dropout, so one worker fitting the
    // minibatches in order computes what one process does, provided Adam's count carries on.
    Config settings = config(List.of(), "deep.patience=0").config().getConfig("deep.resnet");
    DeepNetwork alone = Architectures.create("resnet", settings, shape, 7);
    DeepNetwork averaged = Architectures.create("resnet", settings, shape, 7);
    INDArray initial = alone.model().params().dup();
    minibatches.forEach(alone::fit);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    for (int round = 0; round < 2; round++) {
      ParameterAveragingTrainingMaster.Builder oneWorker =
          new ParameterAveragingTrainingMaster.Builder(1, BATCH)
          .batchSizePerWorker(BATCH)
          .averagingFrequency(ROUND)
          .rddTrainingApproach(RDDTrainingApproach.Direct)
          .saveUpdater(true);
      averaged.onSpark(sc, new ClockedParameterAveraging(oneWorker, 0))
          .fit(sc.parallelize(minibatches.subList(round * ROUND, (round + 1) * ROUND), 1));
    }

    ComputationGraph expected = (ComputationGraph) alone.model();
    ComputationGraph actual = (ComputationGraph) averaged.model();
    assertEquals(2 * ROUND, expected.getConfiguration().getIterationCount());
    assertEquals(2 * ROUND, actual.getConfiguration().getIterationCount());
    assertNotEquals(0.0, expected.params().sub(initial).amaxNumber().doubleValue());
    assertEquals(0.0, expected.params().sub(actual.params()).amaxNumber().doubleValue(), 1e-6);
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
