package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * This project's BatchNormalization code ({@link BatchNormHelper}) computes what DL4J's own does,
 * on real activations: a whole CNN's gradients agree with the same network on DL4J's built-in
 * implementation, and one layer's output and gradients agree with a double-precision
 * computation at least as closely as DL4J's own float implementation does, in both layouts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchNormHelperTest {

  private static final ImageShape SHAPE = LayerFixtures.SHAPE;
  private static final double EPS = 1e-5;
  private DataSet batch;

  @BeforeAll
  void realMinibatch() {
    batch = LayerFixtures.realMinibatch();
  }

  @Test
  void theCnnsGradientsAreDl4jsOwn() throws Exception {
    // The default CNN (BatchNorm after each convolution) without dropout, so both see the same
    // activations; NCHW, where DL4J's ReLU is right (see SimdReluTest).
    MultiLayerNetwork ours = (MultiLayerNetwork) Architectures.create("cnn", LayerFixtures.settings("cnn", "NCHW"),
        SHAPE, 3).model();
    MultiLayerNetwork theirs = ours.clone();
    int replaced = 0;
    for (int i = 0; i < ours.getnLayers(); i++) {
      if (ours.getLayer(i) instanceof BatchNormalization) {
        assertInstanceOf(BatchNormHelper.class, HELPER.get(ours.getLayer(i)));
        HELPER.set(theirs.getLayer(i), null);
        replaced++;
      }
    }
    assertEquals(3, replaced);

    INDArray expected = LayerFixtures.gradient(theirs, batch);
    INDArray actual = LayerFixtures.gradient(ours, batch);
    // Every gradient and running-statistics update within float rounding of DL4J's.
    INDArray error = Transforms.abs(actual.sub(expected));
    INDArray allowed = Transforms.abs(expected).muli(1e-3).addi(1e-5 * expected.amaxNumber().doubleValue());
    assertNotEquals(0.0, expected.amaxNumber().doubleValue());
    assertEquals(0, error.gt(allowed).castTo(DataType.INT32).sumNumber().intValue(),
        "gradients outside the tolerance; largest error " + error.maxNumber());
    assertEquals(theirs.score(), ours.score(), 1e-5, "loss");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NHWC", "NCHW"})
  void aLayerIsAtLeastAsExactAsDl4jsOwn(String format) throws Exception {
    // The ResNet's first block: activations after a ReLU, some channels nearly constant, where
    // 1 / std amplifies every rounding error.
    ComputationGraph graph = (ComputationGraph) Architectures.create("resnet",
        LayerFixtures.settings("resnet", format), SHAPE, 3).model();
    graph.initGradientsView();
    CNN2DFormat layout = CNN2DFormat.valueOf(format);
    INDArray x = graph.feedForward(DeepNetwork.inLayout(batch.getFeatures(), layout), true)
        .get("stage1_block1_conv1").dup('c');
    INDArray dy = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
    int channels = (int) x.size(layout == CNN2DFormat.NCHW ? 1 : 3);
    INDArray gamma = Nd4j.rand(DataType.FLOAT, 1, channels).addi(0.5);
    INDArray beta = Nd4j.rand(DataType.FLOAT, 1, channels);
    Exact exact = Exact.of(channelsFirst(x, layout), channelsFirst(dy, layout), gamma, beta);

    Result ours = run(new BatchNormHelper(), x, dy, gamma, beta, layout);
    BatchNormalization layer = (BatchNormalization) graph.getLayer("stage1_block1_bn1");
    layer.setParam("gamma", gamma);
    layer.setParam("beta", beta);
    HELPER.set(layer, null);
    layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
    INDArray theirOut = layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).dup();
    Pair<Gradient, INDArray> theirs = layer.backpropGradient(dy, LayerWorkspaceMgr.noWorkspaces());
    Result dl4j = new Result(channelsFirst(theirOut, layout), channelsFirst(theirs.getSecond(), layout),
        theirs.getFirst().getGradientFor("gamma").dup());

    assertTrue(exact.dx.amaxNumber().doubleValue() > 0);
    for (String what : List.of("output", "input gradient", "gamma gradient")) {
      double ourError = exact.error(what, ours);
      double theirError = exact.error(what, dl4j);
      assertTrue(ourError <= Math.max(2 * theirError, 1e-5), what + ": ours " + ourError + ", DL4J's " + theirError);
    }
  }

  private static final Field HELPER = helperField();

  private static Field helperField() {
    try {
      Field field = BatchNormalization.class.getDeclaredField("helper");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An output or gradient (NCHW, as {@link Exact} computes them) in any layout. */
  private record Result(INDArray out, INDArray dx, INDArray dGamma) {}

  private static INDArray channelsFirst(INDArray x, CNN2DFormat layout) {
    return layout == CNN2DFormat.NHWC ? x.permute(0, 3, 1, 2).dup('c') : x.dup();
  }

  private static Result run(BatchNormHelper helper, INDArray x, INDArray dy, INDArray gamma, INDArray beta,
      CNN2DFormat layout) {
    long channels = gamma.length();
    INDArray out = helper.preOutput(x, true, x.shape(), gamma, beta, Nd4j.zeros(DataType.FLOAT, 1, channels),
        Nd4j.ones(DataType.FLOAT, 1, channels), 0.9, EPS, layout, LayerWorkspaceMgr.noWorkspaces());
    INDArray dGamma = Nd4j.zeros(DataType.FLOAT, 1, channels);
    INDArray dBeta = Nd4j.zeros(DataType.FLOAT, 1, channels);
    Pair<Gradient, INDArray> back = helper.backpropGradient(x, dy, x.shape(), gamma, beta, dGamma, dBeta, EPS,
        layout, LayerWorkspaceMgr.noWorkspaces());
    return new Result(channelsFirst(out, layout), channelsFirst(back.getSecond(), layout), dGamma);
  }

  /** Batch normalisation and its gradients in double precision, from the definitions. */
  private record Exact(INDArray out, INDArray dx, INDArray dGamma) {

    static Exact of(INDArray x32, INDArray dy32, INDArray gamma32, INDArray beta32) {
      INDArray x = x32.castTo(DataType.DOUBLE);
      INDArray dy = dy32.castTo(DataType.DOUBLE);
      long n = x.size(0);
      long c = x.size(1);
      long m = n * x.size(2) * x.size(3);
      INDArray out = Nd4j.create(DataType.DOUBLE, x.shape());
      INDArray dx = Nd4j.create(DataType.DOUBLE, x.shape());
      INDArray dGamma = Nd4j.create(DataType.DOUBLE, 1, c);
      for (long ch = 0; ch < c; ch++) {
        INDArray xc = x.get(NDArrayIndex.all(), NDArrayIndex.point(ch));
        INDArray gc = dy.get(NDArrayIndex.all(), NDArrayIndex.point(ch));
        double mean = xc.sumNumber().doubleValue() / m;
        double variance = xc.sub(mean).muli(xc.sub(mean)).sumNumber().doubleValue() / m;
        double inverseStd = 1 / Math.sqrt(variance + EPS);
        double g = gamma32.getDouble(0, ch);
        INDArray xHat = xc.sub(mean).muli(inverseStd);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(ch))
            .assign(xHat.mul(g).addi(beta32.getDouble(0, ch)));
        double dBetaC = gc.sumNumber().doubleValue();
        double dGammaC = gc.mul(xHat).sumNumber().doubleValue();
        dGamma.putScalar(0, ch, dGammaC);
        dx.get(NDArrayIndex.all(), NDArrayIndex.point(ch))
            .assign(gc.sub(dBetaC / m).subi(xHat.mul(dGammaC / m)).muli(g * inverseStd));
      }
      return new Exact(out, dx, dGamma);
    }

    /** The largest absolute error of {@code what} in {@code result}, relative to the largest exact value. */
    double error(String what, Result result) {
      INDArray exact = switch (what) {
        case "output" -> out;
        case "input gradient" -> dx;
        default -> dGamma;
      };
      INDArray actual = switch (what) {
        case "output" -> result.out();
        case "input gradient" -> result.dx();
        default -> result.dGamma();
      };
      return actual.castTo(DataType.DOUBLE).sub(exact).amaxNumber().doubleValue() / exact.amaxNumber().doubleValue();
    }
  }
}
