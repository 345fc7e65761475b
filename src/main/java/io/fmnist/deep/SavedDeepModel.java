package io.fmnist.deep;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A trained deep model as saved in {@code models/<name>/}: {@code dl4j-model.zip} (DL4J's
 * ModelSerializer format, without updater state) and {@code model.json} (architecture, network
 * kind, image shape, the layer Grad-CAM explains, the layer hybrid models take features from, and
 * whether predictions average the image's and its mirror image's: {@code deep.<name>.test-time-flip};
 * for a {@link Specialist}, the network it refines, a sibling folder of the same run, and its classes),
 * written through the Hadoop FileSystem API, aside first.
 */
public record SavedDeepModel(String architecture, DeepNetwork.Kind kind, ImageShape shape, String gradCamLayer,
    String featureLayer, boolean testTimeFlip, Specialist specialist) {

  static final String NETWORK = "dl4j-model.zip";
  static final String DESCRIPTION = "model.json";

  /** Whether {@code dir} holds a deep model (rather than an MLlib PipelineModel). */
  public static boolean isAt(String dir, Configuration conf) {
    return HadoopFiles.exists(new Path(dir, DESCRIPTION), conf);
  }

  /** Writes {@code network} to {@code dir}, replacing a model there only with {@code overwrite}. */
  public static void save(DeepNetwork network, SavedDeepModel description, Path dir, boolean overwrite,
      Configuration conf) {
    try (AtomicOutput out = AtomicOutput.begin(dir.toString(), overwrite, conf)) {
      HadoopFiles.writeBytes(new Path(out.staging(), NETWORK), network.toBytes(false), conf);
      HadoopFiles.writeJson(new Path(out.staging(), DESCRIPTION), description, conf);
      out.commit();
    }
  }

  /** The description in {@code dir}; a missing or unreadable one is bad input. */
  public static SavedDeepModel describe(String dir, Configuration conf) {
    Path path = new Path(dir, DESCRIPTION);
    try {
      return HadoopFiles.readJson(path, SavedDeepModel.class, conf);
    } catch (UncheckedIOException e) {
      throw new BadInputException(path.toString(), "not a deep model description (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Scores {@code images} with the network saved in {@code dir}, as it was scored in training: a
   * specialist with the network it refines beside it ({@code dir}'s sibling folder).
   */
  public Dataset<Row> predict(String dir, Dataset<Row> images, int batchSize, int threads, Configuration conf) {
    if (specialist == null) {
      return DeepInference.predict(load(dir, conf), images, shape, testTimeFlip, batchSize, threads);
    }
    String network = new Path(new Path(dir).getParent(), specialist.of()).toString();
    return DeepInference.predict(describe(network, conf).load(network, conf), specialist, load(dir, conf), images,
        shape, testTimeFlip, batchSize, threads);
  }

  /** The network saved in {@code dir}. */
  public DeepNetwork load(String dir, Configuration conf) {
    Path path = new Path(dir, NETWORK);
    try {
      return DeepNetwork.fromBytes(kind, HadoopFiles.readBytes(path, conf), false);
    } catch (UncheckedIOException e) {
      throw new BadInputException(path.toString(), "not a DL4J model (" + e.getMessage() + ")", e);
    }
  }
}
