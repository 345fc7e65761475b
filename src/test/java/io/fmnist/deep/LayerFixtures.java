package io.fmnist.deep;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** What the layer-code tests compare networks on: a real minibatch, and the defaults without dropout. */
final class LayerFixtures {

  static final ImageShape SHAPE = new ImageShape(28, 28, 10);

  private LayerFixtures() {}

  /** The first 64 training images and their labels, on one native thread. */
  static DataSet realMinibatch() {
    NativeRuntime.configure(1);
    return new MinibatchBuilder(SHAPE, Augmentation.NONE, 0).build(FashionMnist.trainImages(64),
        FashionMnist.trainLabels(64), IntStream.range(0, 64).toArray(), 0, 64, new Random(0));
  }

  /**
   * The default settings of {@code model} with no dropout, so that two networks see the same
   * activations, activations in {@code format} (NHWC or NCHW), and convolutions in float (which the
   * helpers' tests compare with DL4J's).
   */
  static Config settings(String model, String format) {
    return AppConfig.load(null, List.of("deep.cnn.dropout=0", "deep." + model + ".data-format=" + format,
        "deep." + model + ".convolution-precision=f32"), new Configuration()).config().getConfig("deep." + model);
  }

  /**
   * {@code model}'s copy with DL4J's own layer helpers but this project's BatchNorm code: the
   * reference that the other helpers' tests compare against (a clone gets DL4J's helpers).
   */
  static Model withDl4jHelpers(Model model) {
    Model copy = model instanceof MultiLayerNetwork network ? network.clone() : ((ComputationGraph) model).clone();
    BatchNormHelper.install(copy);
    return copy;
  }

  /** The loss gradient of {@code network} on {@code batch}, one flat array. */
  static INDArray gradient(MultiLayerNetwork network, DataSet batch) {
    network.setInput(DeepNetwork.inLayout(batch.getFeatures(), DeepNetwork.format(network)));
    network.setLabels(batch.getLabels());
    network.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
    return network.gradient().gradient().dup();
  }

  /** The same for a network of either kind. */
  static INDArray gradient(Model model, DataSet batch) {
    if (model instanceof MultiLayerNetwork network) {
      return gradient(network, batch);
    }
    ComputationGraph graph = (ComputationGraph) model;
    graph.setInputs(DeepNetwork.inLayout(batch.getFeatures(), DeepNetwork.format(graph)));
    graph.setLabels(batch.getLabels());
    graph.computeGradientAndScore();
    return graph.gradient().gradient().dup();
  }

  /** The inference output of a network of either kind on {@code batch}'s images. */
  static INDArray output(Model model, DataSet batch) {
    INDArray features = DeepNetwork.inLayout(batch.getFeatures(), DeepNetwork.format(model));
    return model instanceof MultiLayerNetwork network ? network.output(features)
        : ((ComputationGraph) model).outputSingle(features);
  }

  /** The gradient of {@code model}'s first training step on the batch, as the updater receives it. */
  static INDArray fitGradient(Model model, DataSet batch) {
    INDArray[] gradient = new INDArray[1];
    TrainingListener capture = new BaseTrainingListener() {
      @Override
      public void onGradientCalculation(Model m) {
        if (gradient[0] == null) {
          gradient[0] = m.gradient().gradient().dup();
        }
      }
    };
    INDArray features = DeepNetwork.inLayout(batch.getFeatures(), DeepNetwork.format(model));
    if (model instanceof MultiLayerNetwork network) {
      network.setListeners(capture);
      network.fit(features, batch.getLabels());
    } else {
      ComputationGraph graph = (ComputationGraph) model;
      graph.setListeners(capture);
      graph.fit(new INDArray[] {features}, new INDArray[] {batch.getLabels()});
    }
    if (gradient[0] == null) {
      throw new AssertionError("the listener saw no gradient");
    }
    return gradient[0];
  }
}
