package io.fmnist.cli;

import com.typesafe.config.Config;
import io.fmnist.classical.HogFeatures;
import io.fmnist.data.ImageSize;
import io.fmnist.data.ImageSource;
import io.fmnist.data.ImageToVector;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.deep.Workers;
import io.fmnist.errors.BadInputException;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.fs.ParquetOutput;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code predict --model URI --input URI --output URI}: a saved model scores images into predictions Parquet. */
final class PredictCommand implements Command {

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "score images with a saved model (RUN/models/<name>) into predictions Parquet";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.required("model", "URI", "a saved model: RUN/models/<name>"))
        .addOption(CommonOptions.required(CommonOptions.INPUT, "URI",
            "images: an ingested data set (its test split), a Parquet folder with id and image, or an IDX folder"))
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "URI", "folder for the predictions Parquet"))
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    SparkSession spark = invocation.spark();
    long start = System.nanoTime();
    String model = invocation.value("model");
    String input = invocation.value(CommonOptions.INPUT);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    // The model first: a folder that is no model is refused before Spark reads anything.
    SavedDeepModel deep = SavedDeepModel.isAt(model, hadoop) ? SavedDeepModel.describe(model, hadoop) : null;
    PipelineModel classical = deep == null ? load(model, hadoop) : null;
    ImageSource.Images images = ImageSource.read(spark, input, invocation.config());
    ImageSize need = deep != null ? ImageSize.of(deep.shape().rows(), deep.shape().cols())
        : classicalSize(classical, model);
    // Before any work: a network would silently reinterpret other images, an MLlib model fail in a task.
    if (!images.size().fits(need)) {
      throw new BadInputException(input, "images of " + images.size() + ", but the model " + model + " takes " + need);
    }
    Dataset<Row> predictions;
    if (deep == null) {
      predictions = Predictions.fromModelOutput(classical.transform(images.data()));
    } else {
      Config settings = invocation.config().config().getConfig("deep");
      predictions = deep.predict(model, images.data(), settings.getInt("inference-batch-size"),
          Workers.of(spark, settings).threads(), hadoop);
    }
    String output = invocation.value(CommonOptions.OUTPUT);
    ParquetOutput.write(predictions, output, invocation.has(CommonOptions.OVERWRITE));
    long count = spark.read().parquet(output).count();
    invocation.out().printf("predicted %d images into %s in %.1f s%n", count, output,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * The image size an MLlib pipeline of this project was fitted for, from its feature stages: HOG
   * knows rows and columns, the pixel features only their count.
   */
  private static ImageSize classicalSize(PipelineModel model, String uri) {
    ImageSize pixels = null;
    for (Transformer stage : flatten(model)) {
      if (stage instanceof HogFeatures hog) {
        return ImageSize.of((Integer) hog.getOrDefault(hog.rows()), (Integer) hog.getOrDefault(hog.cols()));
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

  private static PipelineModel load(String uri, Configuration hadoop) {
    // Spark's reader logs an ERROR with a stack trace before it fails on a folder without metadata.
    if (!HadoopFiles.exists(new Path(uri, "metadata"), hadoop)) {
      throw new BadInputException(uri, "not a saved model (neither a DL4J model.json nor an MLlib metadata/ folder)");
    }
    try {
      return PipelineModel.load(uri);
    } catch (Exception e) { // Hadoop's checked InvalidInputException escapes Scala unchecked
      throw new BadInputException(uri, "not a saved model ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
    }
  }
}
