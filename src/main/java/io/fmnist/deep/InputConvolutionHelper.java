package io.fmnist.deep;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's convolution for the convolution on a network's input, without the gradient with respect
 * to the input images. DL4J 1.0.0-M2.1 asks every layer for its input gradient, and libnd4j's
 * {@code conv2d_bp} always runs oneDNN's backward-data primitive; for the first layer that is the
 * gradient with respect to the pixels, which training drops. With one input channel oneDNN runs it
 * as Winograd: 3.9 ms of the seed ResNet's 51.6 ms step on one core (Zen 4, DNNL_VERBOSE, 2026-12-05),
 * ten times the weight gradient. Here the backward pass is the weight gradient as DL4J's built-in
 * code computes it (the input's patches, one gemm with the output gradient, which also gives the
 * bias gradient); the input gradient is null, which DL4J's networks take from a first layer (an
 * embedding layer's is null too): training never reads it, and {@code calculateGradients} returns
 * null for it rather than a wrong array. The forward pass is oneDNN's, unchanged.
 */
final class InputConvolutionHelper extends MKLDNNConvHelper {

  /** The patches on the heap, kept from step to step (a helper serves one layer, on one thread). */
  private float[] rows = new float[0];

  InputConvolutionHelper() {
    super(DataType.FLOAT);
  }

  /**
   * Puts this helper into the convolutions that take the network's input directly (no preprocessor,
   * no dropout, the input feeding nothing else) and run on oneDNN; other layers keep theirs.
   */
  static void install(Model model) {
    for (Layer layer : inputLayers(model)) {
      if (layer.getClass() == ConvolutionLayer.class && layer.getHelper() instanceof MKLDNNConvHelper
          && layer.conf().getLayer().getIDropout() == null) {
        LayerHelpers.replace(layer, ConvolutionLayer.class, new InputConvolutionHelper());
      }
    }
  }

  private static List<Layer> inputLayers(Model model) {
    if (model instanceof MultiLayerNetwork network) {
      return network.getLayerWiseConfigurations().getInputPreProcess(0) == null ? List.of(network.getLayer(0)) : List.of();
    }
    ComputationGraph graph = (ComputationGraph) model;
    GraphVertex[] vertices = graph.getVertices();
    List<Layer> layers = new ArrayList<>();
    for (GraphVertex vertex : vertices) {
      if (vertex instanceof LayerVertex layerVertex && layerVertex.getLayerPreProcessor() == null
          && vertex.getInputVertices() != null && Arrays.stream(vertex.getInputVertices())
              .map(in -> vertices[in.getVertexIndex()])
              .allMatch(in -> in.isInputVertex() && in.getOutputVertices().length == 1)) {
        layers.add(vertex.getLayer());
      }
    }
    return layers;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
      int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode mode,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (input.dataType() != DataType.FLOAT || weights.dataType() != DataType.FLOAT) {
      return null; // DL4J's built-in backward pass, as for oneDNN's helper
    }
    // Both as [n, rows, cols, channels] (a view of NCHW memory for NCHW networks).
    boolean nhwc = format == CNN2DFormat.NHWC;
    INDArray image = nhwc ? input : input.permute(0, 2, 3, 1);
    INDArray outputGradient = nhwc ? delta : delta.permute(0, 2, 3, 1);
    long n = image.size(0);
    long channels = image.size(3);
    int outH = (int) outputGradient.size(1);
    int outW = (int) outputGradient.size(2);
    long outDepth = outputGradient.size(3);
    int[] padding = convolutionMode == ConvolutionMode.Same ? ConvolutionUtils.getSameModeTopLeftPadding(
        new int[] {outH, outW}, new int[] {(int) image.size(1), (int) image.size(2)}, kernel, strides, dilation) : pad;
    int taps = Math.toIntExact(channels * kernel[0] * kernel[1]);

    // One gemm gives both gradients: [taps + 1, outDepth] = patches * output gradient, the patches a
    // row per tap with a last row of ones, so that the last row of the product is the bias gradient
    // (ND4J's column sum took longer than the gemm).
    long positions = n * outH * outW;
    INDArray patches = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
        new long[] {taps + 1, positions}, 'c');
    im2col(image, kernel, strides, padding, dilation, outH, outW, patches);
    INDArray product = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
        new long[] {taps + 1, outDepth}, 'c');
    INDArray outputGradient2d = Shape.newShapeNoCopy(outputGradient, new long[] {positions, outDepth}, false);
    Nd4j.gemm(patches, outputGradient2d != null ? outputGradient2d : outputGradient.reshape('c', positions, outDepth),
        product, false, false, 1.0, 0.0);
    // DL4J's [outDepth, channels, kH, kW] weight gradient is [outDepth, taps] in memory.
    Shape.newShapeNoCopy(weightGradView, new long[] {outDepth, taps}, false)
        .assign(product.get(NDArrayIndex.interval(0, taps), NDArrayIndex.all()).transpose());

    Gradient gradient = new DefaultGradient();
    if (biasGradView != null) {
      biasGradView.assign(product.get(NDArrayIndex.point(taps), NDArrayIndex.all()).reshape(biasGradView.shape()));
      gradient.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
    }
    gradient.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
    return new Pair<>(gradient, null);
  }

  /**
   * The patches the kernel sees as a row per tap ([channels, kH, kW]) of the value under it at every
   * output position ([n, outH, outW]; zero where it overhangs the image), and a row of ones. ND4J's
   * im2col op (and strided assigns) took 10 ms for the seed networks' stem on one core, more than the
   * oneDNN pass this class saves; this loop runs over heap copies, and the rows go into native
   * memory in one bulk copy.
   */
  private void im2col(INDArray image, int[] kernel, int[] strides, int[] padding, int[] dilation, int outH,
      int outW, INDArray patches) {
    float[] in = image.dup('c').data().asFloat(); // [n, height, width, channels]
    int n = (int) image.size(0);
    int height = (int) image.size(1);
    int width = (int) image.size(2);
    int channels = (int) image.size(3);
    if (rows.length != patches.length()) {
      rows = new float[Math.toIntExact(patches.length())];
    }
    int at = 0;
    for (int c = 0; c < channels; c++) {
      for (int kh = 0; kh < kernel[0]; kh++) {
        for (int kw = 0; kw < kernel[1]; kw++) {
          for (int i = 0; i < n; i++) {
            for (int oh = 0; oh < outH; oh++) {
              int row = oh * strides[0] - padding[0] + kh * dilation[0];
              int col = kw * dilation[1] - padding[1];
              int from = ((i * height + row) * width + col) * channels + c;
              for (int ow = 0; ow < outW; ow++, col += strides[1], from += strides[1] * channels) {
                boolean inside = row >= 0 && row < height && col >= 0 && col < width;
                rows[at++] = inside ? in[from] : 0f;
              }
            }
          }
        }
      }
    }
    Arrays.fill(rows, at, rows.length, 1f);
    patches.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().position(Math.toIntExact(patches.offset()))
        .put(rows);
  }
}
