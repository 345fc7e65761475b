package io.fmnist.deep;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

/**
 * DL4J's parameter averaging whose workers train on the driver network's clock: each averaging
 * round's workers get a {@link TrainingClock} with the epoch and the driver's iteration count at
 * the round's start (DL4J adds the round's minibatches to it after each averaging).
 */
final class ClockedParameterAveraging extends ParameterAveragingTrainingMaster {

  private final int epoch;
  private final List<TrainingHook> hooks;

  /** {@code epoch} counted from 0; {@code hooks}: the workers' other hooks. */
  ClockedParameterAveraging(Builder builder, int epoch, TrainingHook... hooks) {
    super(builder);
    this.epoch = epoch;
    this.hooks = List.of(hooks);
  }

  @Override
  public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
    clock(network.getNetwork().getLayerWiseConfigurations().getIterationCount());
    return super.getWorkerInstance(network);
  }

  @Override
  public ParameterAveragingTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
    clock(graph.getNetwork().getConfiguration().getIterationCount());
    return super.getWorkerInstance(graph);
  }

  /** The hooks the next round's workers are built with (the master hands them its list). */
  private void clock(int iteration) {
    List<TrainingHook> roundHooks = new ArrayList<>(hooks);
    roundHooks.add(new TrainingClock(epoch, iteration));
    trainingHookList = roundHooks;
  }
}
