package io.fmnist.deep;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The deep architectures by name, each the seed notebook's Keras model rebuilt in DL4J (valid
 * convolutions, Glorot-uniform weights, Adam), with the stronger variants as configuration
 * ({@code deep.<name>}: ResNet width and depth, learning-rate schedule) rather than copies.
 */
public final class Architectures {

  private static final Map<String, Builder> ALL = new LinkedHashMap<>();

  static {
    ALL.put("cnn", Architectures::cnn);
    ALL.put("resnet", Architectures::resnet);
  }

  private interface Builder {
    DeepNetwork build(Config settings, ImageShape shape, long seed);
  }

  /**
   * The layer Grad-CAM explains: for the CNN the last convolution's output (after its BatchNorm,
   * where there is one), for the ResNet the last residual block's output.
   */
  public static String gradCamLayer(String name, Config settings) {
    return switch (name) {
      case "cnn" -> settings.getBoolean("batch-norm") ? "conv3_bn" : "conv3";
      case "resnet" -> "stage" + settings.getIntList("widths").size() + "_block"
          + settings.getInt("blocks-per-stage") + "_out";
      default -> throw new IllegalArgumentException("unknown deep model '" + name + "'");
    };
  }

  /**
   * The layer whose activations a hybrid model feeds to MLlib: the last before the classifier (the
   * CNN's dense layer, the ResNet's globally pooled channels).
   */
  public static String featureLayer(String name) {
    return switch (name) {
      case "cnn" -> "dense";
      case "resnet" -> "gap";
      default -> throw new IllegalArgumentException("unknown deep model '" + name + "'");
    };
  }

  private Architectures() {}

  public static Set<String> names() {
    return ALL.keySet();
  }

  /** A freshly initialised network {@code name} for images of {@code shape}. */
  public static DeepNetwork create(String name, Config settings, ImageShape shape, long seed) {
    Builder builder = ALL.get(name);
    if (builder == null) {
      throw new IllegalArgumentException("unknown deep model '" + name + "' (" + String.join(", ", names()) + ")");
    }
    return builder.build(settings, shape, seed);
  }

  /**
   * The seed's CNN: Conv 32, pool, Conv 64, pool, Conv 128 (all 3x3 ReLU, valid), Dense 128 ReLU,
   * Dropout 0.5, Dense softmax: 241,546 parameters on 28x28x1 and 10 classes. Variants:
   * {@code batch-norm} after each convolution, another {@code dropout} rate.
   */
  private static DeepNetwork cnn(Config settings, ImageShape shape, long seed) {
    boolean batchNorm = settings.getBoolean("batch-norm");
    NeuralNetConfiguration.ListBuilder list = base(settings, seed).list();
    int[] filters = {32, 64, 128};
    for (int i = 1; i <= filters.length; i++) {
      list.layer(conv("conv" + i, filters[i - 1], Activation.RELU, ConvolutionMode.Truncate, settings));
      if (batchNorm) {
        list.layer(new BatchNormalization.Builder().name("conv" + i + "_bn").build());
      }
      if (i < filters.length) {
        list.layer(pool("pool" + i));
      }
    }
    MultiLayerConfiguration conf = list
        .layer(new DenseLayer.Builder().name("dense").nOut(128).activation(Activation.RELU).build())
        .layer(new DropoutLayer.Builder(1 - settings.getDouble("dropout")).name("dropout").build())
        .layer(output(shape.classes()))
        .setInputType(inputType(settings, shape))
        .build();
    MultiLayerNetwork network = new MultiLayerNetwork(conf);
    network.init();
    return DeepNetwork.of(network);
  }

  /**
   * The seed's ResNet: Conv 3x3 ReLU (valid), max-pool, then stages of residual blocks separated by
   * max-pools, global average pooling, Dense softmax. A block is Conv 3x3 same ReLU, BatchNorm,
   * Conv 3x3 same, BatchNorm, plus the block's input, ReLU; where a block changes the channel count
   * its input passes through a 1x1 convolution and BatchNorm first (ResNet's projection shortcut).
   * {@code widths} are the channels of each stage (the stem has the first stage's). The seed has
   * widths [32, 32] and one block per stage (38,154 parameters, BatchNorm's running statistics
   * included).
   */
  private static DeepNetwork resnet(Config settings, ImageShape shape, long seed) {
    List<Integer> widths = settings.getIntList("widths");
    int blocks = settings.getInt("blocks-per-stage");
    ComputationGraphConfiguration.GraphBuilder graph = base(settings, seed).graphBuilder()
        .addInputs("input")
        .setInputTypes(inputType(settings, shape))
        .addLayer("stem", conv("stem", widths.get(0), Activation.RELU, ConvolutionMode.Truncate, settings), "input")
        .addLayer("pool1", pool("pool1"), "stem");
    String in = "pool1";
    int channels = widths.get(0);
    for (int stage = 1; stage <= widths.size(); stage++) {
      if (stage > 1) {
        graph.addLayer("pool" + stage, pool("pool" + stage), in);
        in = "pool" + stage;
      }
      int width = widths.get(stage - 1);
      for (int block = 1; block <= blocks; block++) {
        in = residualBlock(graph, "stage" + stage + "_block" + block, channels, width, in, settings);
        channels = width;
      }
    }
    graph.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in)
        .addLayer("output", output(shape.classes()), "gap")
        .setOutputs("output");
    ComputationGraph network = new ComputationGraph(graph.build());
    network.init();
    return DeepNetwork.of(network);
  }

  private static String residualBlock(ComputationGraphConfiguration.GraphBuilder graph, String name,
      int channelsIn, int width, String in, Config settings) {
    String shortcut = in;
    if (channelsIn != width) {
      shortcut = name + "_proj_bn";
      graph.addLayer(name + "_proj", new DirectConvolution(new ConvolutionLayer.Builder(1, 1).name(name + "_proj")
              .nOut(width).activation(Activation.IDENTITY), precision(settings)), in)
          .addLayer(shortcut, new BatchNormalization.Builder().build(), name + "_proj");
    }
    graph.addLayer(name + "_conv1", conv(name + "_conv1", width, Activation.RELU, ConvolutionMode.Same, settings), in)
        .addLayer(name + "_bn1", new BatchNormalization.Builder().build(), name + "_conv1")
        .addLayer(name + "_conv2", conv(name + "_conv2", width, Activation.IDENTITY, ConvolutionMode.Same, settings),
            name + "_bn1")
        .addLayer(name + "_bn2", new BatchNormalization.Builder().build(), name + "_conv2")
        .addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_bn2", shortcut)
        .addLayer(name + "_out", new DirectActivation(new ActivationLayer.Builder().activation(Activation.RELU)),
            name + "_add");
    return name + "_out";
  }

  /**
   * The images, in the layout {@code data-format} names (every layer takes it from here). NHWC needs
   * {@link SimdRelu}: DL4J's own ReLU gets NHWC convolutions' gradients wrong (SimdReluTest), so
   * without the Vector API the network is NCHW.
   */
  private static InputType inputType(Config settings, ImageShape shape) {
    String format = settings.getString("data-format");
    if (!List.of("NHWC", "NCHW").contains(format)) {
      throw new IllegalArgumentException("data-format must be NHWC or NCHW, not '" + format + "'");
    }
    CNN2DFormat layout = CNN2DFormat.valueOf(format);
    if (layout == CNN2DFormat.NHWC && !VectorApi.available()) {
      layout = CNN2DFormat.NCHW;
    }
    return InputType.convolutional(shape.rows(), shape.cols(), shape.channels(), layout);
  }

  private static NeuralNetConfiguration.Builder base(Config settings, long seed) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        // Keeps each convolution's output from the forward pass for the backward pass, which
        // otherwise runs the convolution again (DL4J's default, CacheMode.NONE).
        .cacheMode(CacheMode.DEVICE)
        .weightInit(WeightInit.XAVIER_UNIFORM)
        .updater(new Adam(learningRate(settings)));
  }

  /**
   * Adam's learning rate per epoch: constant (the seed's) or cosine-annealed to
   * {@code final-learning-rate} over {@code epochs}.
   */
  static ISchedule learningRate(Config settings) {
    return learningRate(settings, settings.getInt("epochs"));
  }

  /** The learning rate of {@link #learningRate(Config)} over {@code epochs} instead of the configured ones. */
  static ISchedule learningRate(Config settings, int epochs) {
    double initial = settings.getDouble("learning-rate");
    String schedule = settings.getString("schedule");
    Map<Integer, Double> rates = new LinkedHashMap<>();
    switch (schedule) {
      case "constant" -> rates.put(0, initial);
      case "cosine" -> {
        double last = settings.getDouble("final-learning-rate");
        for (int epoch = 0; epoch < epochs; epoch++) {
          double progress = epochs == 1 ? 0 : (double) epoch / (epochs - 1);
          rates.put(epoch, last + (initial - last) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
      }
      default -> throw new IllegalArgumentException("schedule must be one of " + List.of("constant", "cosine")
          + ", not '" + schedule + "'");
    }
    return new MapSchedule(ScheduleType.EPOCH, rates);
  }

  private static ConvolutionLayer conv(String name, int filters, Activation activation, ConvolutionMode mode,
      Config settings) {
    return new DirectConvolution(new ConvolutionLayer.Builder(3, 3).name(name).nOut(filters).activation(activation)
        .convolutionMode(mode), precision(settings));
  }

  private static ConvolutionPrecision precision(Config settings) {
    return ConvolutionPrecision.parse(settings.getString("convolution-precision"));
  }

  private static SubsamplingLayer pool(String name) {
    return new SubsamplingLayer.Builder(PoolingType.MAX).name(name).kernelSize(2, 2).stride(2, 2)
        .convolutionMode(ConvolutionMode.Truncate).build();
  }

  /**
   * Weights each class's term of the network's cross-entropy loss ({@code deep.<name>.class-weights},
   * by label; the others 1): a class-weighted loss, for classes the network confuses. It is the
   * output layer's configuration, so it is saved with the network; predictions are unchanged.
   */
  public static void weightClasses(DeepNetwork network, Map<Integer, Double> weights, int classes) {
    if (weights.isEmpty()) {
      return;
    }
    float[] perClass = new float[classes];
    Arrays.fill(perClass, 1f);
    weights.forEach((label, weight) -> perClass[label] = weight.floatValue());
    for (var layer : DeepNetwork.layers(network.model())) {
      if (layer.conf().getLayer() instanceof BaseOutputLayer output) {
        output.setLossFn(new LossMCXENT(Nd4j.createFromArray(perClass).reshape(1, classes)));
      }
    }
  }

  private static OutputLayer output(int classes) {
    return new OutputLayer.Builder(LossFunction.MCXENT).name("output").nOut(classes)
        .activation(Activation.SOFTMAX).build();
  }
}
