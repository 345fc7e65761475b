package io.fmnist.deep;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Tells the network on a Spark worker which epoch it is training, before every minibatch update,
 * so that the learning-rate schedule (an epoch schedule) advances. DL4J's parameter averaging
 * builds each worker's network from a clone of the driver's configuration, and
 * {@code ComputationGraphConfiguration.clone()} drops the epoch count: without this hook every
 * ResNet epoch trains at epoch 0's rate. ({@code MultiLayerConfiguration.clone()} keeps it; the
 * hook sets it for both kinds so that neither depends on that.)
 */
final class EpochClock implements TrainingHook {

  private final int epoch;

  /** {@code epoch}: the epoch being trained, counted from 0 as DL4J's schedules do. */
  EpochClock(int epoch) {
    this.epoch = epoch;
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    set(model);
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {}

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {
    set(model);
  }

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {}

  private void set(Model model) {
    if (model instanceof ComputationGraph graph) {
      graph.getConfiguration().setEpochCount(epoch);
    } else if (model instanceof MultiLayerNetwork network) {
      network.getLayerWiseConfigurations().setEpochCount(epoch);
    }
  }
}
