package io.fmnist.deep;

import org.apache.spark.SparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The mean training loss of an epoch, summed on the workers after every minibatch update into
 * Spark accumulators (DL4J's own score is only the last averaging round's).
 */
final class EpochLoss implements TrainingHook {

  private final DoubleAccumulator lossSum;
  private final LongAccumulator examples;

  EpochLoss(SparkContext sc) {
    this.lossSum = sc.doubleAccumulator("training loss");
    this.examples = sc.longAccumulator("training examples");
  }

  /** The mean loss per example since creation, or NaN before any update. */
  double mean() {
    return examples.value() == 0 ? Double.NaN : lossSum.value() / examples.value();
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {}

  @Override
  public void postUpdate(DataSet minibatch, Model model) {
    add(model, minibatch.numExamples());
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {
    add(model, minibatch.getFeatures(0).size(0));
  }

  private void add(Model model, long n) {
    lossSum.add(model.score() * n);
    examples.add(n);
  }
}
