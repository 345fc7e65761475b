package io.fmnist.deep;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
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

  /** The default settings of {@code model} with no dropout, so that two networks see the same activations. */
  static Config settings(String model) {
    return AppConfig.load(null, List.of("deep.cnn.dropout=0"), new Configuration()).config().getConfig("deep." + model);
  }
}
