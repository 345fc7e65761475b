package io.fmnist.deep;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;

/**
 * Puts this project's code into a DL4J layer: DL4J 1.0.0-M2.1 fills a layer's {@code helper} field
 * with its own (oneDNN's) helper when the layer is created, and has no setter for it.
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
}
