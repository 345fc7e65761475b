package io.fmnist.deep;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A DL4J network of either kind (the CNN is a {@code MultiLayerNetwork}, the ResNet a
 * {@code ComputationGraph}) behind the few operations training and inference need, so that no
 * other class switches on the kind.
 */
public sealed interface DeepNetwork permits DeepNetwork.Sequential, DeepNetwork.Graph {

  /**
   * The network, with this project's code in its BatchNorm layers ({@link BatchNormHelper}), its
   * convolutions ({@link DirectConvolutionHelper}), the backward pass of its max-pooling
   * ({@link MaxPoolHelper}), for ReLU's gradient ({@link SimdRelu}), and an updater that takes
   * the network's gradient as its own ({@link OwnGradientUpdater}).
   */
  static DeepNetwork of(MultiLayerNetwork network) {
    BatchNormHelper.install(network);
    DirectConvolutionHelper.install(network);
    MaxPoolHelper.install(network);
    SimdRelu.install(network);
    OwnGradientUpdater.install(network);
    return new Sequential(network);
  }

  static DeepNetwork of(ComputationGraph network) {
    BatchNormHelper.install(network);
    DirectConvolutionHelper.install(network);
    MaxPoolHelper.install(network);
    SimdRelu.install(network);
    OwnGradientUpdater.install(network);
    return new Graph(network);
  }

  /** The layers of a network of either kind. */
  static Layer[] layers(Model model) {
    return model instanceof MultiLayerNetwork network ? network.getLayers() : ((ComputationGraph) model).getLayers();
  }

  /** Restores a network written by {@link #toBytes}. */
  static DeepNetwork fromBytes(Kind kind, byte[] bytes, boolean withUpdater) {
    try (ByteArrayInputStream in = new ByteArrayInputStream(bytes)) {
      return switch (kind) {
        case MULTI_LAYER -> of(ModelSerializer.restoreMultiLayerNetwork(in, withUpdater));
        case GRAPH -> of(ModelSerializer.restoreComputationGraph(in, withUpdater));
      };
    } catch (IOException e) {
      throw new UncheckedIOException("not a DL4J " + kind + " model", e);
    }
  }

  /** The DL4J class of a network, as recorded beside a saved model. */
  enum Kind { MULTI_LAYER, GRAPH }

  Kind kind();

  Model model();

  /** Class probabilities for a batch of NCHW images, in inference mode (no dropout, BatchNorm's running statistics). */
  INDArray output(INDArray features);

  /**
   * The layout of the network's activations: NHWC, which oneDNN's convolutions run without
   * reordering their input and output (the default), or NCHW (DL4J's default, and of models saved
   * before this setting), as its first convolution's configuration says.
   */
  default CNN2DFormat format() {
    return format(model());
  }

  static CNN2DFormat format(Model model) {
    for (Layer layer : layers(model)) {
      if (layer.conf().getLayer() instanceof ConvolutionLayer conv) {
        return conv.getCnn2dDataFormat();
      }
    }
    throw new IllegalStateException("the network has no convolution");
  }

  /** NCHW images (what {@link MinibatchBuilder} makes) in the layout the network takes. */
  default INDArray input(INDArray nchw) {
    return inLayout(nchw, format());
  }

  /**
   * {@code use} applied to NCHW {@code features} in the network's layout; a copy made for it (several
   * channels in NHWC) is freed after, as {@link NativeRuntime#release} explains why.
   */
  default <T> T withInput(INDArray features, Function<INDArray, T> use) {
    INDArray in = input(features);
    try {
      return use.apply(in);
    } finally {
      if (in != features) {
        NativeRuntime.release(in);
      }
    }
  }

  /** NCHW images in {@code format}. */
  static INDArray inLayout(INDArray nchw, CNN2DFormat format) {
    if (format == CNN2DFormat.NCHW) {
      return nchw;
    }
    // One channel: the same values in the same order.
    return nchw.size(1) == 1 ? nchw.reshape('c', nchw.size(0), nchw.size(2), nchw.size(3), 1)
        : nchw.permute(0, 2, 3, 1).dup('c');
  }

  /**
   * The activations of the layer named {@code layer} for NCHW {@code features}, in inference mode,
   * in the network's {@link #format}; the other layers' activations are freed at once (see {@link
   * NativeRuntime#release}).
   */
  INDArray activations(INDArray features, String layer);

  /** The layers after the one named {@code layer}, in order (for a graph, they must form a chain). */
  List<Layer> layersAfter(String layer);

  /** One update on one minibatch of NCHW images (on a Spark worker, or in one process for the reference and tests). */
  void fit(DataSet minibatch);

  /** The loss of the last minibatch fitted. */
  default double score() {
    return model().score();
  }

  /** The updater's state (Adam's moments) as one flat view, which parameter averaging averages. */
  INDArray updaterState();

  /** The epoch DL4J's learning-rate schedules read, counted from 0; saved with the network. */
  void setEpoch(int epoch);

  /**
   * Replaces every layer's learning-rate schedule (saved with the network), keeping the updater's
   * state. DL4J rebuilds the updater for it, without {@link OwnGradientUpdater}: installed again.
   */
  void setLearningRate(ISchedule schedule);

  /** Minibatch updates so far (Adam's bias correction counts them); saved with the network. */
  int iterationCount();

  default long numParams() {
    return model().numParams();
  }

  /**
   * What runs each kind of layer: DL4J's helper by class (oneDNN's through libnd4j, or
   * {@link DirectConvolutionHelper} for convolutions, {@link MaxPoolHelper} for
   * max-pooling, {@link BatchNormHelper} for BatchNorm), or ND4J's own ops where a kind has no helper (dense and output layers on OpenBLAS's
   * gemm, activations, pooling over the whole image); each distinct one once, in layer order.
   */
  default Map<String, String> helpers() {
    Map<String, Set<String>> helpers = new TreeMap<>();
    for (Layer layer : layers(model())) {
      LayerHelper helper = layer.getHelper();
      helpers.computeIfAbsent(layer.getClass().getSimpleName(), kind -> new LinkedHashSet<>())
          .add(helper == null ? "ND4J ops" : helper.getClass().getSimpleName());
    }
    Map<String, String> joined = new TreeMap<>();
    helpers.forEach((kind, names) -> joined.put(kind, String.join(", ", names)));
    return joined;
  }

  /** The network as a DL4J model zip, with the updater state when training is to continue from it. */
  default byte[] toBytes(boolean withUpdater) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ModelSerializer.writeModel(model(), out, withUpdater);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize the network", e);
    }
    return out.toByteArray();
  }

  /** An independent copy (parameters, updater state, epoch count). */
  default DeepNetwork copy() {
    return fromBytes(kind(), toBytes(true), true);
  }

  record Sequential(MultiLayerNetwork network) implements DeepNetwork {
    @Override
    public Kind kind() {
      return Kind.MULTI_LAYER;
    }

    @Override
    public Model model() {
      return network;
    }

    @Override
    public INDArray output(INDArray features) {
      return withInput(features, in -> network.output(in, false));
    }

    @Override
    public INDArray activations(INDArray features, String layer) {
      return withInput(features, in -> {
        List<INDArray> all = network.feedForward(in, false);
        INDArray wanted = all.get(indexOf(layer) + 1);
        all.stream().filter(a -> a != wanted && a != in).forEach(NativeRuntime::release);
        return wanted;
      });
    }

    @Override
    public List<Layer> layersAfter(String layer) {
      return Arrays.asList(network.getLayers()).subList(indexOf(layer) + 1, network.getnLayers());
    }

    private int indexOf(String layer) {
      for (int i = 0; i < network.getnLayers(); i++) {
        if (layer.equals(network.getLayer(i).conf().getLayer().getLayerName())) {
          return i;
        }
      }
      throw new IllegalArgumentException("no layer named '" + layer + "'");
    }

    @Override
    public void fit(DataSet minibatch) {
      withInput(minibatch.getFeatures(), in -> {
        network.fit(new DataSet(in, minibatch.getLabels()));
        return null;
      });
    }

    @Override
    public INDArray updaterState() {
      return network.getUpdater().getStateViewArray();
    }

    @Override
    public void setEpoch(int epoch) {
      network.getLayerWiseConfigurations().setEpochCount(epoch);
    }

    @Override
    public void setLearningRate(ISchedule schedule) {
      network.setLearningRate(schedule);
      OwnGradientUpdater.install(network);
    }

    @Override
    public int iterationCount() {
      return network.getLayerWiseConfigurations().getIterationCount();
    }
  }

  record Graph(ComputationGraph network) implements DeepNetwork {
    @Override
    public Kind kind() {
      return Kind.GRAPH;
    }

    @Override
    public Model model() {
      return network;
    }

    @Override
    public INDArray output(INDArray features) {
      return withInput(features, in -> network.outputSingle(false, in));
    }

    @Override
    public INDArray activations(INDArray features, String layer) {
      if (network.getVertex(layer) == null) {
        throw new IllegalArgumentException("no layer named '" + layer + "'");
      }
      return withInput(features, in -> {
        Map<String, INDArray> all = network.feedForward(in, false);
        INDArray wanted = all.get(layer);
        all.values().stream().filter(a -> a != wanted && a != in).forEach(NativeRuntime::release);
        return wanted;
      });
    }

    @Override
    public List<Layer> layersAfter(String layer) {
      List<Layer> after = new ArrayList<>();
      GraphVertex vertex = network.getVertex(layer);
      while (vertex.getOutputVertices() != null && vertex.getOutputVertices().length > 0) {
        if (vertex.getOutputVertices().length != 1) {
          throw new IllegalArgumentException("the layers after '" + layer + "' are not a chain");
        }
        vertex = network.getVertices()[vertex.getOutputVertices()[0].getVertexIndex()];
        if (!vertex.hasLayer()) {
          throw new IllegalArgumentException("'" + vertex.getVertexName() + "' after '" + layer + "' is not a layer");
        }
        after.add(vertex.getLayer());
      }
      return after;
    }

    @Override
    public void fit(DataSet minibatch) {
      withInput(minibatch.getFeatures(), in -> {
        network.fit(new DataSet(in, minibatch.getLabels()));
        return null;
      });
    }

    @Override
    public INDArray updaterState() {
      return network.getUpdater().getStateViewArray();
    }

    @Override
    public void setEpoch(int epoch) {
      network.getConfiguration().setEpochCount(epoch);
    }

    @Override
    public void setLearningRate(ISchedule schedule) {
      network.setLearningRate(schedule);
      OwnGradientUpdater.install(network);
    }

    @Override
    public int iterationCount() {
      return network.getConfiguration().getIterationCount();
    }
  }
}
