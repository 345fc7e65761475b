package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.fmnist.config.AppConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.bytedeco.dnnl.global.dnnl;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link DirectConvolutionHelper} runs every NHWC convolution of both networks (and the helpers
 * logged say so), NCHW ones keep DL4J's, and its outputs and gradients are those of DL4J's oneDNN
 * helper on a real minibatch, for both networks, also in a training step with DL4J's cache (where
 * {@link DirectConvolutionLayer} keeps its output and fuses ReLU); for a padded, strided convolution of a ReLU's
 * output on three-channel images those of DL4J's built-in code; the input's gradient is null, not
 * wrong. In bf16 the outputs and gradients are float's to bf16's rounding, and not float's; the
 * precision is saved with the network, and {@code auto} runs as bf16 exactly where oneDNN's bf16
 * kernels are AMX's. Networks restored and run on two threads at once compute what one thread does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectConvolutionHelperTest {

  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  /**
   * Two Spark workers restore networks and make their oneDNN primitives at the same moment. With
   * oneDNN's primitive cache off every restore makes new ones, so a race in making them shows as a
   * wrong output: before {@code DirectConvolutionHelper}'s lock, 9 and 10 of about 3,500 restored
   * CNNs (two threads, 60 s) on the Xeon with AMX, where each network mixes a float convolution (on
   * the one-channel input) and bf16 ones; none since.
   */
  @Test
  void networksMadeOnTwoThreadsAtOnceComputeWhatOneThreadDoes() throws Exception {
    INDArray images = batch.getFeatures().get(NDArrayIndex.interval(0, 8)).dup();
    // The default settings: convolution-precision auto, so on AMX each network mixes float and bf16.
    Config deep = AppConfig.load(null, List.of(), new Configuration()).config().getConfig("deep");
    List<Callable<Integer>> restorers = new ArrayList<>();
    for (String name : List.of("cnn", "resnet")) {
      DeepNetwork network = Architectures.create(name, deep.getConfig(name), LayerFixtures.SHAPE, 7);
      byte[] saved = network.toBytes(false);
      float[] expected = DeepNetwork.fromBytes(network.kind(), saved, false).output(images).data().asFloat();
      restorers.add(() -> wrongOutputs(saved, network.kind(), images, expected));
    }
    int capacity = dnnl.get_primitive_cache_capacity();
    dnnl.set_primitive_cache_capacity(0);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      int wrong = 0;
      for (Future<Integer> restorer : threads.invokeAll(restorers)) {
        wrong += restorer.get();
      }
      assertEquals(0, wrong, "wrong outputs among 300 CNNs and 300 ResNets restored at once");
    } finally {
      threads.shutdown();
      dnnl.set_primitive_cache_capacity(capacity);
    }
  }

  private static int wrongOutputs(byte[] saved, DeepNetwork.Kind kind, INDArray images, float[] expected) {
    NativeRuntime.configure(1);
    int wrong = 0;
    for (int i = 0; i < 300; i++) {
      float[] output = DeepNetwork.fromBytes(kind, saved, false).output(images.dup()).data().asFloat();
      wrong += Arrays.equals(output, expected) ? 0 : 1;
    }
    return wrong;
  }

  @Test
  void everyNhwcConvolutionOfBothNetworksHasIt() {
    assertTrue(DirectConvolutionHelper.available(), "oneDNN's preset loads on linux-x86_64");
    for (String name : List.of("cnn", "resnet")) {
      DeepNetwork network = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3);
      assertEquals("DirectConvolutionHelper", network.helpers().get("DirectConvolutionLayer"), name);
      DeepNetwork restored = DeepNetwork.fromBytes(network.kind(), network.toBytes(false), false);
      assertInstanceOf(DirectConvolutionHelper.class, DeepNetwork.layers(restored.model())[0].getHelper(), name);
      DeepNetwork nchw = Architectures.create(name, LayerFixtures.settings(name, "NCHW"), LayerFixtures.SHAPE, 3);
      assertEquals("MKLDNNConvHelper", nchw.helpers().get("DirectConvolutionLayer"), name);
    }
  }

  @Test
  void bothNetworksOutputsAndGradientsAreOneDnns() {
    for (String name : List.of("cnn", "resnet")) {
      Model ours = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3).model();
      Model theirs = LayerFixtures.withDl4jHelpers(ours); // only the convolutions differ
      assertEquals(MKLDNNConvHelper.class, DeepNetwork.layers(theirs)[0].getHelper().getClass(), name);
      assertAlmostEqual(LayerFixtures.output(theirs, batch), LayerFixtures.output(ours, batch), name + " output");
      assertAlmostEqual(LayerFixtures.gradient(theirs, batch), LayerFixtures.gradient(ours, batch), name);
      // A training step as fit runs it (workspaces, DL4J's cache for the backward pass open), where
      // DirectConvolutionLayer keeps its output instead of a copy of the pre-activation and applies
      // ReLU as oneDNN's post-op: the gradients the updater gets. Last: fit updates the parameters.
      assertAlmostEqual(LayerFixtures.fitGradient(theirs, batch), LayerFixtures.fitGradient(ours, batch),
          name + " gradients in fit");
    }
  }

  @Test
  void aPaddedStridedConvolutionOfColourImagesGetsOneDnnsGradients() {
    INDArray grey = batch.getFeatures();
    INDArray colour = Nd4j.concat(1, grey, grey.mul(0.5), grey.rsub(1.0)); // three different channels of real images
    DataSet colourBatch = new DataSet(colour, batch.getLabels());
    MultiLayerNetwork ours = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).dataFormat(CNN2DFormat.NHWC)
            .build())
        .layer(new ConvolutionLayer.Builder(5, 5).stride(2, 2).nOut(8).activation(Activation.TANH)
            .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(28, 28, 3, CNN2DFormat.NHWC)).build());
    ours.init();
    MultiLayerNetwork theirs = (MultiLayerNetwork) builtIn(ours.clone());
    DirectConvolutionHelper.install(ours);
    assertInstanceOf(DirectConvolutionHelper.class, ours.getLayer(1).getHelper());
    assertAlmostEqual(LayerFixtures.gradient(theirs, colourBatch), LayerFixtures.gradient(ours, colourBatch),
        "3x3 then 5x5, stride 2, same padding, RGB");
  }

  @Test
  void bf16ConvolutionsAreFloatsToBf16Rounding() {
    assumeTrue(DirectConvolutionHelper.bf16Available(), "oneDNN has no bf16 convolution on this CPU");
    for (String name : List.of("cnn", "resnet")) {
      Model f32 = Architectures.create(name, LayerFixtures.settings(name, "NHWC"), LayerFixtures.SHAPE, 3).model();
      Model bf16 = Architectures.create(name, withPrecision(name, "bf16"), LayerFixtures.SHAPE, 3).model();
      INDArray expected = LayerFixtures.output(f32, batch);
      INDArray actual = LayerFixtures.output(bf16, batch);
      assertTrue(!expected.equals(actual), name + ": bf16 outputs are not float's, bit for bit");
      assertClose(expected, actual, 2e-2, name + " output in bf16");
      // Every convolution feeds a BatchNorm, whose gradient cancels most of what reaches the
      // convolution (its bias's, in theory, to zero): elementwise the float and bf16 gradients
      // differ by more than the rounding; their directions agree.
      LayerFixtures.gradient(f32, batch);
      LayerFixtures.gradient(bf16, batch);
      Map<String, INDArray> bf16Gradients = bf16.gradient().gradientForVariable();
      f32.gradient().gradientForVariable().forEach((variable, gradient) -> {
        if (variable.endsWith("_W")) {
          double cosine = Transforms.cosineSim(gradient, bf16Gradients.get(variable));
          assertTrue(cosine > 0.99, name + " " + variable + ": cosine " + cosine + " of the float and bf16 gradients");
        }
      });
    }
  }

  /**
   * A training step's backward pass reuses the bf16 copy of the input that its forward pass made;
   * after a forward pass on other images, or none, it rounds its input again, to the same gradients.
   */
  @Test
  void aBackwardPassRoundsItsInputUnlessItsForwardPassJustDid() {
    assumeTrue(DirectConvolutionHelper.bf16Available(), "oneDNN has no bf16 convolution on this CPU");
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 13, 13, 32).subi(0.5);
    INDArray other = Nd4j.rand(DataType.FLOAT, 8, 13, 13, 32).subi(0.5);
    INDArray weights = Nd4j.rand(DataType.FLOAT, 32, 32, 3, 3).subi(0.5);
    INDArray bias = Nd4j.rand(DataType.FLOAT, 1, 32);
    INDArray dy = Nd4j.rand(DataType.FLOAT, 8, 13, 13, 32).subi(0.5);
    DirectConvolutionHelper helper = new DirectConvolutionHelper(true, ConvolutionPrecision.BF16);
    sameConvolution(helper, x, weights, bias, null);
    INDArray[] afterItsForward = sameConvolution(helper, x, weights, bias, dy);
    sameConvolution(helper, other, weights, bias, null);
    INDArray[] afterAnother = sameConvolution(helper, x, weights, bias, dy);
    INDArray[] alone = sameConvolution(helper, x, weights, bias, dy);
    sameConvolution(helper, x, weights, bias, null);
    INDArray[] ofTheOther = sameConvolution(helper, other, weights, bias, dy);
    for (int i = 0; i < 3; i++) {
      assertTrue(afterItsForward[i].amaxNumber().doubleValue() > 0);
      assertEquals(afterItsForward[i], afterAnother[i]);
      assertEquals(afterItsForward[i], alone[i]);
    }
    assertTrue(!afterItsForward[0].equals(ofTheOther[0]), "the other images' weight gradient is theirs");
  }

  /**
   * A 3x3 same-padded NHWC convolution's forward pass where {@code dy} is null, otherwise its
   * backward pass: the gradients of the weights, the bias and the input.
   */
  private static INDArray[] sameConvolution(DirectConvolutionHelper helper, INDArray x, INDArray weights,
      INDArray bias, INDArray dy) {
    int[] three = {3, 3};
    int[] one = {1, 1};
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    if (dy == null) {
      helper.preOutput(x, weights, bias, three, one, one, null, null, ConvolutionMode.Same, one, CNN2DFormat.NHWC,
          none);
      return null;
    }
    INDArray weightGradient = Nd4j.create(DataType.FLOAT, weights.shape());
    INDArray biasGradient = Nd4j.create(DataType.FLOAT, bias.shape());
    INDArray inputGradient = helper.backpropGradient(x, weights, bias, dy, three, one, one, biasGradient,
        weightGradient, null, null, null, null, ConvolutionMode.Same, one, CNN2DFormat.NHWC, none).getSecond();
    return new INDArray[] {weightGradient, biasGradient, inputGradient};
  }

  @Test
  void thePrecisionIsSavedAndAutoIsBf16OnAmxOnly() {
    DeepNetwork auto = Architectures.create("resnet", withPrecision("resnet", "auto"), LayerFixtures.SHAPE, 3);
    DeepNetwork restored = DeepNetwork.fromBytes(auto.kind(), auto.toBytes(false), false);
    for (Layer layer : DeepNetwork.layers(restored.model())) {
      if (layer.conf().getLayer() instanceof DirectConvolution conv) {
        assertEquals(ConvolutionPrecision.AUTO, conv.getPrecision(), layer.conf().getLayer().getLayerName());
      }
    }
    Model f32 = Architectures.create("resnet", LayerFixtures.settings("resnet", "NHWC"), LayerFixtures.SHAPE, 3).model();
    INDArray floatOutput = LayerFixtures.output(f32, batch);
    INDArray autoOutput = LayerFixtures.output(restored.model(), batch);
    if (DirectConvolutionHelper.bf16OnAmx()) {
      assertTrue(!floatOutput.equals(autoOutput), "auto runs bf16 where oneDNN has AMX kernels, as here");
      assertClose(floatOutput, autoOutput, 2e-2, "auto on AMX");
    } else {
      assertEquals(floatOutput, autoOutput, "auto runs float where oneDNN has no AMX kernels, as here");
    }
    assertThrows(IllegalArgumentException.class, () -> ConvolutionPrecision.parse("fp8"));
  }

  @Test
  void theInputGradientIsNullNotWrong() {
    MultiLayerNetwork network = (MultiLayerNetwork) Architectures.create("cnn", LayerFixtures.settings("cnn", "NHWC"),
        LayerFixtures.SHAPE, 3).model();
    INDArray features = DeepNetwork.inLayout(batch.getFeatures(), CNN2DFormat.NHWC);
    var gradients = network.calculateGradients(features, batch.getLabels(), null, null);
    assertNotNull(gradients.getFirst().gradient());
    assertNull(gradients.getSecond());
  }

  /**
   * {@code model} with DL4J's built-in convolution code (im2col and gemm): the reference. Not DL4J's
   * oneDNN helper: for the ReLU convolution on three-channel input below libnd4j's {@code conv2d_bp}
   * gave gradients 50x too large, different in every run (1.0.0-M2.1), where the built-in code and
   * this helper agree.
   */
  private static Model builtIn(Model model) {
    for (Layer layer : DeepNetwork.layers(model)) {
      if (layer.getClass() == org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class) {
        LayerHelpers.replace(layer, org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class, null);
      }
    }
    return model;
  }

  /** Equal up to float rounding: oneDNN 2.5's kernels sum in another order than libnd4j's oneDNN 2.3. */
  private static void assertAlmostEqual(INDArray expected, INDArray actual, String what) {
    assertClose(expected, actual, 1e-4, what);
  }

  /** No element further from {@code expected} than {@code tolerance} times its largest magnitude. */
  private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
    double scale = expected.amaxNumber().doubleValue();
    assertTrue(scale > 0, what);
    double worst = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(worst <= tolerance * scale, what + ": differ by up to " + worst + " (largest " + scale + ")");
  }

  private static Config withPrecision(String model, String precision) {
    return LayerFixtures.settings(model, "NHWC").withValue("convolution-precision",
        ConfigValueFactory.fromAnyRef(precision));
  }
}
