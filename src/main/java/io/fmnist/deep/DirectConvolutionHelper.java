package io.fmnist.deep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks' NHWC convolutions on oneDNN's primitives, called directly (oneDNN 2.5.2 through
 * JavaCPP's preset, on ND4J's OpenMP threads) and created once per shape. libnd4j 1.0.0-M2.1's
 * {@code conv2d} and {@code conv2d_bp} build oneDNN's descriptors and primitive descriptors on every
 * call and run the backward passes on blocked copies of the activations: 43 of the seed ResNet's 60
 * ms training step on one core went to its convolutions (JFR samples, Intel Xeon family 6 model 167,
 * 2026-12-05); here they take 14.6 of about 40 ms. Forward results are bit-identical with libnd4j's,
 * gradients equal to float rounding (oneDNN 2.5 picks other kernels for the backward passes).
 *
 * <p>For a convolution on the network's input the gradient with respect to the pixels, which
 * training never reads, is not computed: null, which DL4J's networks take from a first layer (an
 * embedding layer's is null too); with one input channel oneDNN runs it as Winograd, 2.4 ms a
 * step against 0.6 for the weight gradient. NCHW layers keep DL4J's helper (in NCHW, one layer of
 * the ResNet got weight gradients 3.5% off both DL4J's helper and its built-in code), and so do
 * other data types and Truncate-mode shapes that drop input columns. Where the preset cannot load
 * (another platform) nothing is installed.
 */
final class DirectConvolutionHelper extends MKLDNNConvHelper {

  private static final Logger LOG = LoggerFactory.getLogger(DirectConvolutionHelper.class);
  private static final engine ENGINE = load();
  /**
   * Shapes kept per layer: training's minibatch and the last partial one (each a forward pass with
   * ReLU and the backward passes), inference's.
   */
  private static final int SHAPES_KEPT = 8;
  private static final memory.data_type F32 = memory.data_type.f32;
  private static final memory.data_type BF16 = memory.data_type.bf16;
  private static final AtomicBoolean LOGGED_BF16 = new AtomicBoolean();
  /**
   * Held while oneDNN makes a primitive descriptor or a primitive, one thread at a time in the JVM.
   * oneDNN 2.5.2's brgemm convolutions choose their blocking through a static field, {@code
   * brg_blocking_t::last_ic_block_size} (1 for float, 2 for bf16; thread_local from oneDNN 2.7):
   * two Spark workers making the float input convolution's primitive and a bf16 one at the same
   * moment could each get the other's weight layout, a primitive that computes garbage, and oneDNN's
   * primitive cache then hands that primitive to every later network of the shape in the JVM. Seen
   * as validation accuracies far off in 4 of 12 CI runs; reproduced by two threads restoring and
   * running the CNN with the cache off: 9 and 10 wrong outputs in about 3,500, none with this lock.
   */
  private static final Object CREATING = new Object();

  private final boolean inputGradient;
  private final ConvolutionPrecision precision;
  private final stream stream = new stream(ENGINE);
  private final Map<Geometry, Primitives> primitives = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Geometry, Primitives> eldest) {
      return size() > SHAPES_KEPT;
    }
  };

  DirectConvolutionHelper(boolean inputGradient, ConvolutionPrecision precision) {
    super(DataType.FLOAT);
    this.inputGradient = inputGradient;
    this.precision = precision;
  }

  private static engine load() {
    try {
      Loader.load(dnnl.class);
      return new engine(engine.kind.cpu, 0);
    } catch (Throwable e) { // UnsatisfiedLinkError, or the preset's classes missing: no fast path
      LOG.info("oneDNN's preset did not load ({}): convolutions run through libnd4j", e.toString());
      return null;
    }
  }

  static boolean available() {
    return ENGINE != null;
  }

  /**
   * Whether this machine's oneDNN runs bf16 convolutions on AMX, which is where {@code auto}
   * takes bf16 (it decides per shape; the probe is the ResNet's 32-channel 3x3 convolution of 64
   * images of 13x13).
   */
  static boolean bf16OnAmx() {
    return bf16Kernel().contains("amx");
  }

  /** Whether oneDNN has a bf16 kernel on this machine (the probe of {@link #bf16OnAmx}). */
  static boolean bf16Available() {
    return !bf16Kernel().isEmpty();
  }

  /** The implementation oneDNN picks for the probe's bf16 forward pass; empty where it has none. */
  private static String bf16Kernel() {
    if (!available()) {
      return "";
    }
    synchronized (CREATING) {
      convolution_forward.primitive_desc probe = Primitives.bf16Forward(
          new Geometry(64, 32, 13, 13, 32, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, true, false), new primitive_attr());
      return probe == null ? "" : probe.impl_info_str().getString();
    }
  }

  /**
   * Puts this helper into every NHWC convolution layer of {@code model} that runs on DL4J's oneDNN
   * helper; those that take the network's input directly (no preprocessor, no dropout, the input
   * feeding nothing else) skip the input gradient.
   */
  static void install(Model model) {
    if (!available()) {
      return;
    }
    List<Layer> onInput = inputLayers(model);
    for (Layer layer : DeepNetwork.layers(model)) {
      if ((layer.getClass() == ConvolutionLayer.class || layer instanceof DirectConvolutionLayer)
          && layer.getHelper() instanceof MKLDNNConvHelper
          && ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer()).getCnn2dDataFormat()
              == CNN2DFormat.NHWC) {
        boolean first = onInput.contains(layer) && layer.conf().getLayer().getIDropout() == null;
        ConvolutionPrecision precision = layer.conf().getLayer() instanceof DirectConvolution direct
            ? direct.getPrecision() : ConvolutionPrecision.F32;
        LayerHelpers.replace(layer, ConvolutionLayer.class, new DirectConvolutionHelper(!first, precision));
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
  public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode mode,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo fwdAlgo, ConvolutionMode convolutionMode,
      int[] dilation, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    Geometry geometry = Geometry.of(input, weights, bias != null, kernel, strides, pad, convolutionMode, dilation,
        format, false);
    return geometry == null
        ? super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode, dilation, format,
            workspaceMgr)
        : forward(geometry, input, weights, bias, workspaceMgr);
  }

  /**
   * The convolution of {@code conf}'s NHWC layer, with its ReLU applied as oneDNN writes the output
   * where {@code relu}; null where this helper leaves the shape to DL4J's.
   */
  INDArray forward(INDArray input, INDArray weights, INDArray bias,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf, boolean relu, LayerWorkspaceMgr workspaceMgr) {
    Geometry geometry = Geometry.of(input, weights, bias != null, conf.getKernelSize(), conf.getStride(),
        conf.getPadding(), conf.getConvolutionMode(), conf.getDilation(), conf.getCnn2dDataFormat(), relu);
    return geometry == null ? null : forward(geometry, input, weights, bias, workspaceMgr);
  }

  private INDArray forward(Geometry geometry, INDArray input, INDArray weights, INDArray bias,
      LayerWorkspaceMgr workspaceMgr) {
    INDArray x = ChannelKernels.contiguous(input);
    INDArray w = ChannelKernels.contiguous(weights);
    INDArray b = bias == null ? null : ChannelKernels.contiguous(bias);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, geometry.output(), 'c');
    synchronized (this) {
      primitives(geometry).forward(stream, x, w, b, out);
    }
    NativeRuntime.release(x == input ? null : x, w == weights ? null : w, b == bias ? null : b);
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
      int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode mode,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
      org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode,
      int[] dilation, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    Geometry geometry = Geometry.of(input, weights, biasGradView != null, kernel, strides, pad, convolutionMode,
        dilation, format, false);
    if (geometry == null || !Arrays.equals(delta.shape(), geometry.output())
        || !ChannelKernels.rowMajor(weightGradView) || biasGradView != null && !ChannelKernels.rowMajor(biasGradView)) {
      return super.backpropGradient(input, weights, bias, delta, kernel, strides, pad, biasGradView, weightGradView,
          afn, mode, bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format, workspaceMgr);
    }
    INDArray x = ChannelKernels.contiguous(input);
    INDArray w = ChannelKernels.contiguous(weights);
    INDArray dy = ChannelKernels.contiguous(delta);
    INDArray inputGrad = inputGradient
        ? workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c') : null;
    synchronized (this) {
      primitives(geometry).backward(stream, x, w, dy, inputGrad, weightGradView, biasGradView);
    }
    NativeRuntime.release(x == input ? null : x, w == weights ? null : w, dy == delta ? null : dy);
    Gradient gradient = new DefaultGradient();
    if (biasGradView != null) {
      gradient.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
    }
    gradient.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
    return new Pair<>(gradient, inputGrad);
  }

  private Primitives primitives(Geometry geometry) {
    return primitives.computeIfAbsent(geometry, g -> {
      synchronized (CREATING) {
        return new Primitives(g, inputGradient, precision);
      }
    });
  }

  /** What a set of primitives is made for, in oneDNN's terms. */
  record Geometry(long n, long inC, long inH, long inW, long outC, long outH, long outW, long kH, long kW,
      long strideH, long strideW, long padTop, long padLeft, long padBottom, long padRight, long dilateH,
      long dilateW, boolean bias, boolean relu) {

    /**
     * The geometry of a call, or null where this helper leaves it to DL4J's; {@code relu}: the
     * forward pass applies ReLU to its output.
     */
    static Geometry of(INDArray input, INDArray weights, boolean bias, int[] kernel, int[] strides, int[] pad,
        ConvolutionMode mode, int[] dilation, CNN2DFormat format, boolean relu) {
      if (input.dataType() != DataType.FLOAT || weights.dataType() != DataType.FLOAT || input.rank() != 4
          || format != CNN2DFormat.NHWC) {
        return null;
      }
      int inH = (int) input.size(1);
      int inW = (int) input.size(2);
      int[] out = ConvolutionUtils.getOutputSize(input, kernel, strides, mode == ConvolutionMode.Same ? null : pad,
          mode, dilation, format);
      int[] topLeft = mode == ConvolutionMode.Same
          ? ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {inH, inW}, kernel, strides, dilation) : pad;
      // oneDNN's right padding: whatever makes its output size DL4J's (Same mode pads more at the
      // bottom right; Truncate may drop columns, which would be a negative padding: not taken).
      long bottom = (long) (out[0] - 1) * strides[0] + (long) (kernel[0] - 1) * dilation[0] + 1 - inH - topLeft[0];
      long right = (long) (out[1] - 1) * strides[1] + (long) (kernel[1] - 1) * dilation[1] + 1 - inW - topLeft[1];
      if (bottom < 0 || right < 0) {
        return null;
      }
      return new Geometry(input.size(0), weights.size(1), inH, inW, weights.size(0), out[0], out[1], kernel[0],
          kernel[1], strides[0], strides[1], topLeft[0], topLeft[1], bottom, right, dilation[0] - 1L,
          dilation[1] - 1L, bias, relu);
    }

    /** The output's shape, NHWC. */
    long[] output() {
      return new long[] {n, outH, outW, outC};
    }
  }

  /**
   * One shape's primitives: forward (with a ReLU post-op where the geometry says so), backward
   * weights (with the bias), backward data, and the reorders between DL4J's [out, in, kH, kW] weights
   * and the layouts oneDNN's kernels chose. The activations stay as they are: oneDNN's kernels take
   * NHWC without reordering it. In bf16 (see {@link ConvolutionPrecision}) the input and the output's
   * gradient are rounded into bf16 copies of this shape's own before the kernels read them, and the
   * weights by their reorders; outputs and gradients are written in float, where DL4J's arrays are.
   */
  private static final class Primitives {

    private final memory src;
    private final memory dst;
    private final memory diffDst;
    private final memory diffSrc;
    private final memory bias;
    private final memory diffBias;
    private final memory userWeights;
    private final memory userDiffWeights;
    /** The bf16 copies of {@code src} and {@code diffDst}; null in float. */
    private final Step roundSrc;
    /**
     * The address of the input whose bf16 copy the last forward pass made, until a backward pass
     * uses it: the training step's backward pass gets the input its forward pass had, and does not
     * round it again (0 when there is none).
     */
    private long roundedSrc;
    private final Step roundDiffDst;
    private final Step forwardWeights;
    private final Step forward;
    private final Step backwardDataWeights;
    private final Step backwardData;
    private final Step backwardWeights;
    private final Step backwardWeightsOut;

    Primitives(Geometry g, boolean inputGradient, ConvolutionPrecision precision) {
      long[] inDims = {g.n(), g.inC(), g.inH(), g.inW()};
      long[] outDims = {g.n(), g.outC(), g.outH(), g.outW()};
      long[] weightDims = {g.outC(), g.inC(), g.kH(), g.kW()};
      memory.desc in = desc(inDims, F32, memory.format_tag.nhwc);
      memory.desc out = desc(outDims, F32, memory.format_tag.nhwc);
      memory.desc userWeightsDesc = desc(weightDims, F32, memory.format_tag.oihw);
      memory.desc biasDesc = desc(new long[] {g.outC()}, F32, memory.format_tag.x);
      long[] strides = {g.strideH(), g.strideW()};
      long[] dilates = {g.dilateH(), g.dilateW()};
      long[] padL = {g.padTop(), g.padLeft()};
      long[] padR = {g.padBottom(), g.padRight()};

      primitive_attr attributes = new primitive_attr();
      if (g.relu()) {
        post_ops relu = new post_ops();
        relu.append_eltwise(1f, dnnl.algorithm.eltwise_relu, 0f, 0f);
        attributes.set_post_ops(relu);
      }
      convolution_forward.primitive_desc forwardDesc = precision == ConvolutionPrecision.F32 ? null
          : lowPrecisionForward(g, precision, attributes);
      boolean low = forwardDesc != null;
      memory.data_type kernelType = low ? BF16 : F32;
      memory.desc kernelIn = desc(inDims, kernelType, memory.format_tag.nhwc);
      memory.desc kernelOut = desc(outDims, kernelType, memory.format_tag.nhwc);
      memory.desc anyWeights = desc(weightDims, kernelType, memory.format_tag.any);
      if (!low) {
        forwardDesc = forward(g, attributes, in, anyWeights, biasDesc, out, strides, dilates, padL, padR);
      }
      convolution_backward_weights.primitive_desc weightsDesc = new convolution_backward_weights.primitive_desc(g.bias()
          ? new convolution_backward_weights.desc(dnnl.algorithm.convolution_direct, kernelIn,
              desc(weightDims, F32, memory.format_tag.any), biasDesc, kernelOut, strides, dilates, padL, padR)
          : new convolution_backward_weights.desc(dnnl.algorithm.convolution_direct, kernelIn,
              desc(weightDims, F32, memory.format_tag.any), kernelOut, strides, dilates, padL, padR), ENGINE,
          forwardDesc);
      LOG.debug("{} {}: forward {}, backward weights {}", g, kernelType, forwardDesc.impl_info_str().getString(),
          weightsDesc.impl_info_str().getString());

      src = new memory(in, ENGINE, null);
      dst = new memory(out, ENGINE, null);
      diffDst = new memory(out, ENGINE, null);
      bias = new memory(biasDesc, ENGINE, null);
      diffBias = new memory(biasDesc, ENGINE, null);
      userWeights = new memory(userWeightsDesc, ENGINE, null);
      userDiffWeights = new memory(userWeightsDesc, ENGINE, null);
      memory kernelSrc = low ? new memory(kernelIn, ENGINE) : src;
      memory kernelDiffDst = low ? new memory(kernelOut, ENGINE) : diffDst;
      roundSrc = low ? Step.reorder(src, kernelSrc) : null;
      roundDiffDst = low ? Step.reorder(diffDst, kernelDiffDst) : null;

      memory weights = new memory(forwardDesc.weights_desc(), ENGINE);
      forwardWeights = Step.reorder(userWeights, weights);
      forward = new Step(new convolution_forward(forwardDesc))
          .arg(dnnl.DNNL_ARG_SRC, kernelSrc).arg(dnnl.DNNL_ARG_WEIGHTS, weights).arg(dnnl.DNNL_ARG_DST, dst);
      memory diffWeights = new memory(weightsDesc.diff_weights_desc(), ENGINE);
      backwardWeights = new Step(new convolution_backward_weights(weightsDesc))
          .arg(dnnl.DNNL_ARG_SRC, kernelSrc).arg(dnnl.DNNL_ARG_DIFF_DST, kernelDiffDst)
          .arg(dnnl.DNNL_ARG_DIFF_WEIGHTS, diffWeights);
      backwardWeightsOut = Step.reorder(diffWeights, userDiffWeights);
      if (g.bias()) {
        forward.arg(dnnl.DNNL_ARG_BIAS, bias);
        backwardWeights.arg(dnnl.DNNL_ARG_DIFF_BIAS, diffBias);
      }
      if (inputGradient) {
        convolution_backward_data.primitive_desc dataDesc = new convolution_backward_data.primitive_desc(
            new convolution_backward_data.desc(dnnl.algorithm.convolution_direct, in, anyWeights, kernelOut, strides,
                dilates, padL, padR), ENGINE, forwardDesc);
        diffSrc = new memory(in, ENGINE, null);
        memory dataWeights = new memory(dataDesc.weights_desc(), ENGINE);
        backwardDataWeights = Step.reorder(userWeights, dataWeights);
        backwardData = new Step(new convolution_backward_data(dataDesc))
            .arg(dnnl.DNNL_ARG_DIFF_DST, kernelDiffDst).arg(dnnl.DNNL_ARG_WEIGHTS, dataWeights)
            .arg(dnnl.DNNL_ARG_DIFF_SRC, diffSrc);
      } else {
        diffSrc = null;
        backwardDataWeights = null;
        backwardData = null;
      }
    }

    /**
     * The bf16 forward pass of {@code g} where {@code precision} takes it here: oneDNN has a bf16
     * kernel for the shape, and under {@code AUTO} it is one of AMX's; otherwise null (float).
     */
    private static convolution_forward.primitive_desc lowPrecisionForward(Geometry g, ConvolutionPrecision precision,
        primitive_attr attributes) {
      convolution_forward.primitive_desc candidate = bf16Forward(g, attributes);
      if (candidate == null) {
        return null;
      }
      String kernel = candidate.impl_info_str().getString();
      // oneDNN 2.5.2's older AMX kernel for 1x1 convolutions, which it picks for a single image
      // (the ResNet's projection shortcut in Grad-CAM's probe), writes outside its buffers: heap
      // corruption, reproduced outside DL4J. Its brgconv kernels, picked for 2 images and more, do not.
      if (kernel.startsWith("jit_1x1") && kernel.contains("amx")) {
        return null;
      }
      boolean taken = precision == ConvolutionPrecision.BF16 || kernel.contains("amx");
      if (taken && LOGGED_BF16.compareAndSet(false, true)) {
        LOG.info("convolutions in bf16 where oneDNN has an AMX kernel for them (here {}), float elsewhere", kernel);
      }
      return taken ? candidate : null;
    }

    /** The forward pass of {@code g} on bf16 input and weights; null where oneDNN has no kernel for it here. */
    static convolution_forward.primitive_desc bf16Forward(Geometry g, primitive_attr attributes) {
      try {
        return forward(g, attributes, desc(new long[] {g.n(), g.inC(), g.inH(), g.inW()}, BF16, memory.format_tag.nhwc),
            desc(new long[] {g.outC(), g.inC(), g.kH(), g.kW()}, BF16, memory.format_tag.any),
            desc(new long[] {g.outC()}, F32, memory.format_tag.x),
            desc(new long[] {g.n(), g.outC(), g.outH(), g.outW()}, F32, memory.format_tag.nhwc),
            new long[] {g.strideH(), g.strideW()}, new long[] {g.dilateH(), g.dilateW()},
            new long[] {g.padTop(), g.padLeft()}, new long[] {g.padBottom(), g.padRight()});
      } catch (RuntimeException e) { // oneDNN's "could not create a primitive descriptor"
        LOG.debug("{}: no bf16 convolution on this machine ({})", g, e.getMessage());
        return null;
      }
    }

    private static convolution_forward.primitive_desc forward(Geometry g, primitive_attr attributes, memory.desc in,
        memory.desc weights, memory.desc biasDesc, memory.desc out, long[] strides, long[] dilates, long[] padL,
        long[] padR) {
      return new convolution_forward.primitive_desc(g.bias()
          ? new convolution_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, in,
              weights, biasDesc, out, strides, dilates, padL, padR)
          : new convolution_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, in,
              weights, out, strides, dilates, padL, padR), attributes, ENGINE);
    }

    private static memory.desc desc(long[] dims, memory.data_type type, memory.format_tag tag) {
      return new memory.desc(dims, type, tag);
    }

    void forward(stream stream, INDArray x, INDArray weights, INDArray b, INDArray out) {
      point(src, x);
      point(userWeights, weights);
      point(dst, out);
      if (b != null) { // null exactly where the geometry has no bias
        point(bias, b);
      }
      if (roundSrc != null) {
        roundSrc.run(stream);
        roundedSrc = address(x);
      }
      forwardWeights.run(stream);
      forward.run(stream);
      stream._wait();
    }

    void backward(stream stream, INDArray x, INDArray weights, INDArray dy, INDArray dx, INDArray weightGrad,
        INDArray biasGrad) {
      point(src, x);
      point(diffDst, dy);
      point(userDiffWeights, weightGrad);
      if (biasGrad != null) {
        point(diffBias, biasGrad);
      }
      if (roundSrc != null) {
        if (roundedSrc != address(x)) {
          roundSrc.run(stream);
        }
        roundedSrc = 0;
        roundDiffDst.run(stream);
      }
      backwardWeights.run(stream);
      backwardWeightsOut.run(stream);
      if (dx != null) {
        point(userWeights, weights);
        point(diffSrc, dx);
        backwardDataWeights.run(stream);
        backwardData.run(stream);
      }
      stream._wait();
    }

    /** Points a memory object at an array's first element (row-major and contiguous: checked by the caller). */
    private static void point(memory memory, INDArray array) {
      memory.set_data_handle(new Address(address(array)));
    }

    private static long address(INDArray array) {
      return array.data().address() + array.offset() * Float.BYTES;
    }
  }

  /** A primitive with its arguments. */
  private static final class Step {
    private final primitive primitive;
    private final IntMemoryMap args = new IntMemoryMap();

    Step(primitive primitive) {
      this.primitive = primitive;
    }

    static Step reorder(memory from, memory to) {
      return new Step(new reorder(from, to)).arg(dnnl.DNNL_ARG_FROM, from).arg(dnnl.DNNL_ARG_TO, to);
    }

    Step arg(int kind, memory memory) {
      args.put(kind, memory);
      return this;
    }

    void run(stream stream) {
      primitive.execute(stream, args);
    }
  }

  /** A native address as JavaCPP's pointer type, without an allocation of its own. */
  private static final class Address extends Pointer {
    Address(long at) {
      address = at;
    }
  }
}
