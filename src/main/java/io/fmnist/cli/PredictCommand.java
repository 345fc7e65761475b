package io.fmnist.cli;

import com.typesafe.config.Config;
import io.fmnist.data.ImageSource;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.deep.Workers;
import io.fmnist.errors.BadInputException;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.ParquetOutput;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
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
    var images = ImageSource.read(spark, invocation.value(CommonOptions.INPUT), invocation.config());
    String output = invocation.value(CommonOptions.OUTPUT);
    ParquetOutput.write(predictions(invocation, model, images), output, invocation.has(CommonOptions.OVERWRITE));
    long count = spark.read().parquet(output).count();
    invocation.out().printf("predicted %d images into %s in %.1f s%n", count, output,
        (System.nanoTime() - start) / 1e9);
  }

  /** A DL4J model (models/cnn, models/resnet) or an MLlib PipelineModel, by what the folder holds. */
  private static Dataset<Row> predictions(Invocation invocation, String model, Dataset<Row> images) {
    Configuration hadoop = invocation.spark().sparkContext().hadoopConfiguration();
    if (!SavedDeepModel.isAt(model, hadoop)) {
      return Predictions.fromModelOutput(load(model).transform(images));
    }
    SavedDeepModel saved = SavedDeepModel.describe(model, hadoop);
    Config deep = invocation.config().config().getConfig("deep");
    return saved.predict(model, images, deep.getInt("inference-batch-size"),
        Workers.of(invocation.spark(), deep).threads(), hadoop);
  }

  private static PipelineModel load(String uri) {
    try {
      return PipelineModel.load(uri);
    } catch (Exception e) { // Hadoop's checked InvalidInputException escapes Scala unchecked
      throw new BadInputException(uri, "not a saved model ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
    }
  }
}
