package io.fmnist.bench;

import io.fmnist.config.AppConfig;
import io.fmnist.data.IdxSplit;
import io.fmnist.deep.Architectures;
import io.fmnist.deep.Augmentation;
import io.fmnist.deep.DeepNetwork;
import io.fmnist.deep.DirectActivationLayer;
import io.fmnist.deep.DirectConvolutionLayer;
import io.fmnist.deep.ImageShape;
import io.fmnist.deep.MinibatchBuilder;
import io.fmnist.deep.NativeRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where one worker's training step goes, for scripts/profile-deep.sh: the network trains on real
 * minibatches in this one thread, as a Spark worker does, under a Flight Recorder recording; every
 * stack sample (Java and native) is put in one category by its frames: a layer kind's forward or
 * backward pass, the updater (Adam), the loss, minibatch building, or DL4J's and ND4J's own
 * bookkeeping around them (workspaces, array and shape objects, JNI calls); GC pauses come from
 * the recording's GC events. Not a test.
 *
 * <p>Usage: DeepProfile IDX_DIR MODEL STEPS [--conf FILE] [--set key=value ...]
 */
public final class DeepProfile {

  private static final int WARM_UP = 30;

  public static void main(String[] args) throws Exception {
    String dir = args[0];
    String model = args[1];
    int steps = Integer.parseInt(args[2]);
    String conf = null;
    List<String> sets = new ArrayList<>();
    for (int i = 3; i + 1 < args.length; i += 2) {
      if (args[i].equals("--conf")) {
        conf = args[i + 1];
      } else {
        sets.add(args[i + 1]);
      }
    }
    org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
    AppConfig config = AppConfig.load(conf, sets, hadoop);
    var settings = config.config().getConfig("deep." + model);
    int batch = settings.getInt("batch-size-per-worker");
    NativeRuntime.configure(1);
    ImageShape shape = new ImageShape(28, 28, 10);
    DeepNetwork network = Architectures.create(model, settings, shape, config.seed());
    MinibatchBuilder builder = new MinibatchBuilder(shape, Augmentation.from(settings),
        settings.getDouble("label-smoothing"));
    int count = (WARM_UP + steps) * batch;
    Images train = Images.read(IdxSplit.open(dir, "train", hadoop), count, hadoop);
    List<byte[]> images = train.images();
    int[] labels = train.labels();
    int[] order = IntStream.range(0, images.size()).toArray();
    Random random = new Random(config.seed());
    List<DataSet> minibatches = new ArrayList<>();
    long buildStart = System.nanoTime();
    for (int step = 0; step < WARM_UP + steps; step++) {
      int from = (step * batch) % (images.size() - batch + 1);
      minibatches.add(builder.build(images, labels, order, from, from + batch, random));
    }
    double buildMs = (System.nanoTime() - buildStart) / 1e6 / minibatches.size();
    for (int step = 0; step < WARM_UP; step++) {
      network.fit(minibatches.get(step));
    }

    Path file = Files.createTempFile("deep-profile", ".jfr");
    double wallMs;
    double madePerStep;
    try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
      recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(2));
      recording.start();
      // ND4J numbers every native buffer and op context it makes (one call here counts too).
      long made = Nd4j.getDeallocatorService().nextValue();
      long start = System.nanoTime();
      for (int step = WARM_UP; step < WARM_UP + steps; step++) {
        network.fit(minibatches.get(step));
      }
      wallMs = (System.nanoTime() - start) / 1e6 / steps;
      madePerStep = (Nd4j.getDeallocatorService().nextValue() - made - 1) / (double) steps;
      recording.stop();
      recording.dump(file);
    }
    report(model, network, batch, steps, wallMs, buildMs, madePerStep, file);
    Files.delete(file);
  }

  private static void report(String model, DeepNetwork network, int batch, int steps, double wallMs,
      double buildMs, double madePerStep, Path file) throws IOException {
    Map<String, Integer> samples = new TreeMap<>();
    double gcMs = 0;
    int total = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      String type = event.getEventType().getName();
      if (type.equals("jdk.GarbageCollection")) {
        gcMs += event.getDuration().toNanos() / 1e6;
      } else if ((type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample"))
          && isTrainingThread(event)) {
        samples.merge(category(event.getStackTrace().getFrames()), 1, Integer::sum);
        total++;
      }
    }
    System.out.printf("%s: %d parameters, batch %d, one thread, %d steps: %.2f ms per step (%.0f images/s)%n",
        model, network.numParams(), batch, steps, wallMs, batch * 1000 / wallMs);
    System.out.printf("  %-46s %8s %6s%n", "where (by stack samples)", "ms/step", "share");
    int all = Math.max(1, total);
    samples.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .forEach(e -> System.out.printf("  %-46s %8.2f %5.1f%%%n", e.getKey(), wallMs * e.getValue() / all,
            100.0 * e.getValue() / all));
    System.out.printf("  %-46s %8.2f (outside the step, for %d images)%n", "building a minibatch", buildMs, batch);
    System.out.printf("  %-46s %8.2f%n", "GC pauses (all threads)", gcMs / steps);
    // Each has a reference that ND4J holds until a collection finds it unreachable: the next young
    // collection copies it, so these, not the bytes, are what the GC pauses grow with.
    System.out.printf("  %-46s %8.0f a step%n", "ND4J native buffers and op contexts made", madePerStep);
  }

  private static boolean isTrainingThread(RecordedEvent event) {
    var thread = event.getThread("sampledThread");
    return thread != null && "main".equals(thread.getJavaName());
  }

  /** The category of a stack sample, from its innermost frames outwards. */
  static String category(List<RecordedFrame> frames) {
    boolean inNative = !frames.isEmpty() && frames.get(0).getMethod().getType().getName().contains("Nd4jCpu");
    for (RecordedFrame frame : frames) {
      String type = frame.getMethod().getType().getName();
      String method = frame.getMethod().getName();
      String where = inNative ? "" : " (Java side)";
      if (type.startsWith("org.deeplearning4j.nn.updater") || type.startsWith("org.nd4j.linalg.learning")) {
        return "updater (Adam)" + where;
      }
      if (type.startsWith("org.nd4j.linalg.lossfunctions")) {
        return "loss" + where;
      }
      if (type.startsWith("org.deeplearning4j.nn.layers.") || type.startsWith("org.deeplearning4j.nn.graph.vertex.")
          || type.equals(DirectConvolutionLayer.class.getName()) || type.equals(DirectActivationLayer.class.getName())) {
        // This project's layers are counted as the DL4J layers they extend.
        String kind = type.substring(type.lastIndexOf('.') + 1).replace("MKLDNN", "").replace("Helper", "")
            .replace("Direct", "");
        String phase = method.startsWith("backprop") || method.startsWith("doBackward") ? "backward" : "forward";
        if (type.contains(".mkldnn.")) {
          kind = kind.startsWith("Conv") ? "ConvolutionLayer" : kind.startsWith("Subsampling")
              ? "SubsamplingLayer" : kind.startsWith("BatchNorm") ? "BatchNormalization" : kind;
          return kind + " " + phase + " (oneDNN)";
        }
        if (type.endsWith("$1") || type.contains("$")) {
          continue;
        }
        return kind + " " + phase + where;
      }
    }
    return inNative ? "other native (ND4J ops)" : "DL4J/ND4J bookkeeping (Java)";
  }
}
