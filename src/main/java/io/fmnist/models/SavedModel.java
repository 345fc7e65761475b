package io.fmnist.models;

import com.typesafe.config.Config;
import io.fmnist.classical.HogFeatures;
import io.fmnist.config.AppConfig;
import io.fmnist.data.ImageSize;
import io.fmnist.data.ImageToVector;
import io.fmnist.deep.NetworkFeatures;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.deep.Workers;
import io.fmnist.ensemble.SavedEnsemble;
import io.fmnist.errors.BadInputException;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.HadoopFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A model saved in a run ({@code RUN/models/<name>}) of any family, read back to score images
 * into the predictions contract: a DL4J network ({@code model.json}), an MLlib PipelineModel
 * ({@code metadata/}, hybrids included), or the stacked ensemble ({@code ensemble.json}, which
 * scores with its base models beside it and then its stacker). A folder that is none of them is
 * refused before Spark reads it.
 */
public final class SavedModel {

  private final ImageSize needs;
  private final UnaryOperator<Dataset<Row>> scorer;

  private SavedModel(ImageSize needs, UnaryOperator<Dataset<Row>> scorer) {
    this.needs = needs;
    this.scorer = scorer;
  }

  /** The image size the model was trained on. */
  public ImageSize needs() {
    return needs;
  }

  /** The predictions contract for {@code images} (columns {@code id}, {@code image}, optionally {@code label}). */
  public Dataset<Row> predict(Dataset<Row> images) {
    return scorer.apply(images);
  }

  public static SavedModel load(SparkSession spark, AppConfig config, String dir) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    if (SavedDeepModel.isAt(dir, conf)) {
      SavedDeepModel deep = SavedDeepModel.describe(dir, conf);
      Config settings = config.config().getConfig("deep");
      return new SavedModel(deep.shape().size(), images -> deep.predict(dir,
          images, settings.getInt("inference-batch-size"), Workers.of(spark, settings).threads(), conf));
    }
    if (SavedEnsemble.isAt(dir, conf)) {
      SavedEnsemble ensemble = SavedEnsemble.describe(dir, conf);
      Map<String, SavedModel> bases = new LinkedHashMap<>();
      ensemble.baseModels(dir).forEach((name, base) -> bases.put(name, load(spark, config, base)));
      ImageSize needs = bases.values().iterator().next().needs();
      return new SavedModel(needs, images -> ensemble.predict(dir, base -> bases.get(base).predict(images)));
    }
    PipelineModel pipeline = pipeline(dir, conf);
    return new SavedModel(pipelineSize(pipeline, dir, conf),
        images -> Predictions.fromModelOutput(pipeline.transform(images)));
  }

  /**
   * The image size an MLlib pipeline of this project was fitted for, from its feature stages: HOG
   * and a hybrid's network know rows and columns, the pixel features only their count.
   */
  private static ImageSize pipelineSize(PipelineModel model, String uri, Configuration conf) {
    ImageSize pixels = null;
    for (Transformer stage : flatten(model)) {
      if (stage instanceof HogFeatures hog) {
        return ImageSize.of((Integer) hog.getOrDefault(hog.rows()), (Integer) hog.getOrDefault(hog.cols()),
            (Integer) hog.getOrDefault(hog.channels()));
      }
      if (stage instanceof NetworkFeatures network) {
        return network.description(conf).shape().size();
      }
      if (stage instanceof ImageToVector vector) {
        pixels = ImageSize.ofBytes((Integer) vector.getOrDefault(vector.size()));
      }
    }
    if (pixels == null) {
      throw new BadInputException(uri, "an MLlib model without this project's image features");
    }
    return pixels;
  }

  private static List<Transformer> flatten(PipelineModel model) {
    List<Transformer> stages = new ArrayList<>();
    for (Transformer stage : model.stages()) {
      if (stage instanceof PipelineModel inner) {
        stages.addAll(flatten(inner));
      } else {
        stages.add(stage);
      }
    }
    return stages;
  }

  private static PipelineModel pipeline(String uri, Configuration conf) {
    // Spark's reader logs an ERROR with a stack trace before it fails on a folder without metadata.
    if (!HadoopFiles.exists(new Path(uri, "metadata"), conf)) {
      throw new BadInputException(uri, "not a saved model (neither a DL4J model.json, an ensemble.json "
          + "nor an MLlib metadata/ folder)");
    }
    try {
      return PipelineModel.load(uri);
    } catch (Exception e) { // Hadoop's checked InvalidInputException escapes Scala unchecked
      throw new BadInputException(uri, "not a saved model ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
    }
  }
}
