package io.fmnist.deep;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's updaters (Adam and the rest, per block of parameters) told that a network's gradient is
 * its own. DL4J 1.0.0-M2.1's {@code DefaultGradient.gradient()} returns a new reshaped view of the
 * network's gradient array on every call, so {@code BaseMultiLayerUpdater.update}'s identity check
 * ({@code gradient.gradient() != getFlattenedGradientsView()}) always takes the path meant for a
 * gradient computed by another network (RL4J's case): it slices four new views per parameter twice
 * a step to apply regularization (none here) and slices the minibatch division again. Each view is
 * an ND4J array with its own native shape buffer and a phantom reference to free it, and those
 * references are most of what the young collections copy: a 100-200 ms pause every few seconds of
 * ResNet training, all workers stopped, with the old generation growing in between (the view
 * slicing from {@code UpdaterBlock.applyRegularizationAllVariables} was nearly all the sampled
 * allocations of ND4J buffer references, JFR). Same arithmetic, same order; only the views differ.
 */
final class OwnGradientUpdater {

  private OwnGradientUpdater() {}

  /** Replaces the network's updater by one that takes its gradient as its own, keeping its state. */
  static void install(ComputationGraph network) {
    ComputationGraphUpdater current = network.getUpdater();
    if (!(current instanceof Graph)) {
      network.setUpdater(new Graph(network, current.getStateViewArray()));
    }
  }

  static void install(MultiLayerNetwork network) {
    if (!(network.getUpdater() instanceof Sequential)) {
      network.setUpdater(new Sequential(network, network.getUpdater().getStateViewArray()));
    }
  }

  /**
   * {@code gradient}, answering {@code own} (the network's gradient array) for its flat gradient
   * where that is a view of the same memory, so that DL4J takes its standard path; otherwise as it is.
   */
  static Gradient onOwnView(Gradient gradient, INDArray own) {
    INDArray flat = gradient.gradient();
    boolean same = flat != null && own != null && flat.length() == own.length()
        && flat.data().address() == own.data().address();
    return same ? new OwnView(gradient, own) : gradient;
  }

  static final class Graph extends ComputationGraphUpdater {
    Graph(ComputationGraph network, INDArray state) {
      super(network, state);
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
        LayerWorkspaceMgr workspaces) {
      super.update(onOwnView(gradient, getFlattenedGradientsView()), iteration, epoch, batchSize, workspaces);
    }
  }

  static final class Sequential extends MultiLayerUpdater {
    Sequential(MultiLayerNetwork network, INDArray state) {
      super(network, state);
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
        LayerWorkspaceMgr workspaces) {
      super.update(onOwnView(gradient, getFlattenedGradientsView()), iteration, epoch, batchSize, workspaces);
    }
  }

  /** A gradient whose flat array is the network's own; everything else is the original's. */
  private record OwnView(Gradient original, INDArray own) implements Gradient {
    @Override
    public INDArray gradient() {
      return own;
    }

    @Override
    public Map<String, INDArray> gradientForVariable() {
      return original.gradientForVariable();
    }

    @Override
    public INDArray gradient(List<String> order) {
      return original.gradient(order);
    }

    @Override
    public void clear() {
      original.clear();
    }

    @Override
    public INDArray getGradientFor(String variable) {
      return original.getGradientFor(variable);
    }

    @Override
    public INDArray setGradientFor(String variable, INDArray gradient) {
      return original.setGradientFor(variable, gradient);
    }

    @Override
    public INDArray setGradientFor(String variable, INDArray gradient, Character flatteningOrder) {
      return original.setGradientFor(variable, gradient, flatteningOrder);
    }

    @Override
    public Character flatteningOrderForVariable(String variable) {
      return original.flatteningOrderForVariable(variable);
    }
  }
}
