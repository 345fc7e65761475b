package io.fmnist.explain;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Not a loss for training: the "loss" of a Grad-CAM head is the chosen class's pre-softmax score,
 * {@code sum(labels * preOutput)} with one-hot labels, so that DL4J's backpropagation returns the
 * gradient of that score with respect to the head's input.
 */
public final class ClassScore implements ILossFunction {

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
      boolean average) {
    double score = labels.mul(preOutput).sumNumber().doubleValue();
    return average ? score / labels.size(0) : score;
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    return labels.mul(preOutput).sum(1);
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    return labels.dup();
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activation, INDArray mask, boolean average) {
    return Pair.of(computeScore(labels, preOutput, activation, mask, average),
        computeGradient(labels, preOutput, activation, mask));
  }

  @Override
  public String name() {
    return "ClassScore";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClassScore;
  }

  @Override
  public int hashCode() {
    return ClassScore.class.hashCode();
  }
}
