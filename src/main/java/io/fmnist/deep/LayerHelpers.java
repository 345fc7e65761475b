package io.fmnist.deep;

import java.lang.reflect.Field;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Puts this project's code into DL4J layers: DL4J 1.0.0-M2.1 fills a layer's {@code helper} field
 * with its own (oneDNN's) helper when the layer is created, and has no setter for it; and the
 * configuration classes of this project's layers create them as DL4J's own do.
 */
final class LayerHelpers {

  private LayerHelpers() {}

  /** Sets the {@code helper} field that {@code declaring} (the layer's class or a superclass) declares. */
  static void replace(Layer layer, Class<? extends Layer> declaring, LayerHelper helper) {
    try {
      Field field = declaring.getDeclaredField("helper");
      field.setAccessible(true);
      field.set(layer, helper);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot set the helper of DL4J's " + declaring.getSimpleName()
          + " (another DL4J version?)", e);
    }
  }

  /**
   * {@code layer}, set up as DL4J's {@code instantiate} methods set up a new layer of {@code spec}:
   * listeners, index, parameters (initialised where {@code initialize}) and configuration.
   */
  static <T extends Layer> T instantiated(T layer, org.deeplearning4j.nn.conf.layers.Layer spec,
      NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index, INDArray parameters,
      boolean initialize) {
    layer.setListeners(listeners);
    layer.setIndex(index);
    layer.setParamsViewArray(parameters);
    layer.setParamTable(spec.initializer().init(conf, parameters, initialize));
    layer.setConf(conf);
    return layer;
  }
}
