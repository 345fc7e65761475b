package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The kernels' in-place reads and writes of parameter vectors, on the views DL4J hands BatchNorm:
 * slices of a network's one parameter array, and of a flat gradient array, at offsets.
 */
class ChannelKernelsTest {

  @Test
  void parameterViewsAreReadAndWrittenInPlace() {
    ComputationGraph graph = (ComputationGraph) Architectures.create("resnet",
        LayerFixtures.settings("resnet", "NHWC"), LayerFixtures.SHAPE, 3).model();
    for (String param : new String[] {"gamma", "beta", "mean", "log10stdev"}) {
      INDArray view = graph.getLayer("stage2_block1_bn2").getParam(param);
      assertTrue(view.offset() > 0, param + " is a view inside the parameters");
      view.assign(Nd4j.rand(view.dataType(), view.shape()));
      assertArrayEquals(view.toFloatVector(), ChannelKernels.values(view), param);
    }
    // A gradient view as DL4J slices them: an interval of one flat array.
    INDArray flat = Nd4j.rand(DataType.FLOAT, 1, 500).reshape(500);
    INDArray before = flat.dup();
    INDArray view = flat.get(NDArrayIndex.interval(123, 187));
    float[] values = new float[64];
    for (int i = 0; i < values.length; i++) {
      values[i] = i + 0.5f;
    }
    ChannelKernels.setValues(values, view);
    assertArrayEquals(values, view.toFloatVector());
    int changed = 0;
    for (int i = 0; i < 500; i++) {
      changed += flat.getFloat(i) != before.getFloat(i) ? 1 : 0;
    }
    assertEquals(64, changed, "only the view's elements change");
  }
}
