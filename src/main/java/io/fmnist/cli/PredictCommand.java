package io.fmnist.cli;

import io.fmnist.data.ImageSource;
import io.fmnist.errors.BadInputException;
import io.fmnist.fs.ParquetOutput;
import io.fmnist.models.SavedModel;
import org.apache.commons.cli.Options;
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
        .addOption(CommonOptions.required("model", "URI", "a saved model: RUN/models/<name> (the ensemble scores with its base models beside it)"))
        .addOption(CommonOptions.required(CommonOptions.INPUT, "URI",
            "images: an ingested data set (its test split), an IDX folder, a folder of image files "
                + "(PNG, JPEG, BMP, GIF), or a Parquet folder with id and image"))
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "URI", "folder for the predictions Parquet"))
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    SparkSession spark = invocation.spark();
    long start = System.nanoTime();
    String model = invocation.value("model");
    String input = invocation.value(CommonOptions.INPUT);
    // The model first: a folder that is no model is refused before Spark reads anything.
    SavedModel saved = SavedModel.load(spark, invocation.config(), model);
    ImageSource.Images images = ImageSource.read(spark, input, invocation.config());
    // Before any work: a network would silently reinterpret other images, an MLlib model fail in a task.
    if (!images.size().fits(saved.needs())) {
      throw new BadInputException(input, "images of " + images.size() + ", but the model " + model + " takes "
          + saved.needs());
    }
    String output = invocation.value(CommonOptions.OUTPUT);
    ParquetOutput.write(images.withOrigins(saved.predict(images.data())), output,
        invocation.has(CommonOptions.OVERWRITE));
    long count = spark.read().parquet(output).count();
    invocation.out().printf("predicted %d images into %s in %.1f s%n", count, output,
        (System.nanoTime() - start) / 1e9);
  }
}
