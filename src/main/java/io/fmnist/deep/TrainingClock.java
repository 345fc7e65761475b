package io.fmnist.deep;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Tells the network on a Spark worker the epoch and iteration it is training, before every
 * minibatch update: the learning-rate schedule counts epochs, and Adam's bias correction counts
 * iterations. DL4J's parameter averaging builds each worker's network from a clone of the driver's
 * configuration, and {@code ComputationGraphConfiguration.clone()} drops both counts: without this
 * hook every ResNet epoch trains at epoch 0's rate, and Adam's bias correction starts again at
 * every averaging round, which scales its steps by 0.15-0.3. ({@code MultiLayerConfiguration.clone()}
 * keeps them; setting them there changes nothing.)
 */
final class TrainingClock implements TrainingHook {

  private final int epoch;
  private final int iteration;

  /**
   * {@code epoch}: the epoch being trained, counted from 0 as DL4J's schedules do; {@code
   * iteration}: the driver network's iteration count when this averaging round starts.
   */
  TrainingClock(int epoch, int iteration) {
    this.epoch = epoch;
    this.iteration = iteration;
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

  /** The worker's own count runs on from the round's start, so only a count behind it is raised. */
  private void set(Model model) {
    if (model instanceof ComputationGraph graph) {
      ComputationGraphConfiguration conf = graph.getConfiguration();
      conf.setEpochCount(epoch);
      conf.setIterationCount(Math.max(iteration, conf.getIterationCount()));
    } else if (model instanceof MultiLayerNetwork network) {
      MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
      conf.setEpochCount(epoch);
      conf.setIterationCount(Math.max(iteration, conf.getIterationCount()));
    }
  }
}
