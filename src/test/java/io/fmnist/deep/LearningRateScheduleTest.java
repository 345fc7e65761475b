package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.run.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learning-rate schedule reaches the networks on the Spark workers, epoch by epoch: for a
 * {@code ComputationGraph} DL4J's parameter averaging alone trains every epoch at epoch 0's rate.
 */
class LearningRateScheduleTest {

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

  private AppConfig config(List<String> sets, String patience) {
    List<String> all = new java.util.ArrayList<>(sets);
    all.add(patience);
    return AppConfig.load("conf/seed.conf", all, hadoop);
  }

  private static INDArray weights(Checkpoints.Checkpoint checkpoint, String layer) {
    return ((ComputationGraph) checkpoint.last().model()).getLayer(layer).params();
  }
}
