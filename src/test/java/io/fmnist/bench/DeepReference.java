package io.fmnist.bench;

import io.fmnist.config.AppConfig;
import io.fmnist.data.IdxSplit;
import io.fmnist.deep.Architectures;
import io.fmnist.deep.Augmentation;
import io.fmnist.deep.DeepNetwork;
import io.fmnist.deep.ImageShape;
import io.fmnist.deep.MinibatchBuilder;
import io.fmnist.deep.NativeRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The single-process reference for scripts/bench-deep.sh: one DL4J network trained without Spark
 * on the same minibatches (same builder, batch size and augmentation) with all cores, printing
 * images/s per epoch and the test accuracy. Not a test.
 *
 * <p>Usage: DeepReference IDX_DIR MODEL EPOCHS TRAIN_LIMIT [--conf FILE] [--set key=value ...]; the
 * batch size is the model's {@code batch-size-per-worker}.
 */
public final class DeepReference {

  public static void main(String[] args) throws IOException {
    String dir = args[0];
    String model = args[1];
    int epochs = Integer.parseInt(args[2]);
    int limit = Integer.parseInt(args[3]);
    String conf = null;
    List<String> sets = new ArrayList<>();
    for (int i = 4; i + 1 < args.length; i += 2) {
      if (args[i].equals("--conf")) {
        conf = args[i + 1];
      } else {
        sets.add(args[i + 1]);
      }
    }
    AppConfig config = AppConfig.load(conf, sets, new Configuration());
    var settings = config.config().getConfig("deep." + model);
    int batch = settings.getInt("batch-size-per-worker");
    NativeRuntime.configure(Runtime.getRuntime().availableProcessors());
    Configuration hadoop = new Configuration();
    Images train = Images.read(IdxSplit.open(dir, "train", hadoop), limit, hadoop);
    Images test = Images.read(IdxSplit.open(dir, "test", hadoop), Integer.MAX_VALUE, hadoop);
    ImageShape shape = new ImageShape(28, 28, 10);
    DeepNetwork network = Architectures.create(model, settings, shape, config.seed());
    MinibatchBuilder builder = new MinibatchBuilder(shape, Augmentation.from(settings),
        settings.getDouble("label-smoothing"));
    System.out.printf("reference %s: %d parameters, oneDNN %s, %d threads%n", model, network.numParams(),
        NativeRuntime.oneDnnActive(), Runtime.getRuntime().availableProcessors());
    Random random = new Random(config.seed());
    for (int epoch = 1; epoch <= epochs; epoch++) {
      int[] order = shuffled(train.labels().length, random);
      long start = System.nanoTime();
      for (int from = 0; from < order.length; from += batch) {
        network.fit(builder.build(train.images(), train.labels(), order, from,
            Math.min(order.length, from + batch), random));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("reference %s epoch %d: %.1f s, %.0f images/s, test accuracy %.4f%n", model, epoch,
          seconds, order.length / seconds, accuracy(network, test, shape));
    }
  }

  private static double accuracy(DeepNetwork network, Images test, ImageShape shape) {
    int correct = 0;
    for (int from = 0; from < test.labels().length; from += 500) {
      List<byte[]> chunk = test.images().subList(from, Math.min(test.labels().length, from + 500));
      var features = Nd4j.create(MinibatchBuilder.scaled(chunk, shape), shape.batch(chunk.size()), 'c');
      int[] predicted = network.output(features).argMax(1).toIntVector();
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == test.labels()[from + i] ? 1 : 0;
      }
    }
    return (double) correct / test.labels().length;
  }

  private static int[] shuffled(int n, Random random) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, random);
    return order.stream().mapToInt(Integer::intValue).toArray();
  }
}
