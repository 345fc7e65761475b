package io.fmnist.explain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.fmnist.data.ParquetLayout;
import io.fmnist.deep.DeepNetwork;
import io.fmnist.deep.ImageShape;
import io.fmnist.deep.MinibatchBuilder;
import io.fmnist.deep.NativeRuntime;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.run.RunDirectory;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The explain stage: Grad-CAM figures for a run's deep model on test images, by default two
 * correctly and one wrongly classified image per class (where one exists), explaining the
 * predicted class. Writes {@code explain/<model>/} in the run: one PNG per image and
 * {@code index.json} listing them.
 */
public final class GradCamGallery {

  private static final Logger LOG = LoggerFactory.getLogger(GradCamGallery.class);

  /** The list of figures in {@code explain/<model>/}: {@link Entry} as JSON. */
  public static final String INDEX = "index.json";

  private final SparkSession spark;
  private final List<String> classNames;
  private final int correctPerClass;
  private final int wrongPerClass;
  private final int upscale;

  public GradCamGallery(SparkSession spark, List<String> classNames, int correctPerClass, int wrongPerClass,
      int upscale) {
    this.spark = spark;
    this.classNames = classNames;
    this.correctPerClass = correctPerClass;
    this.wrongPerClass = wrongPerClass;
    this.upscale = upscale;
  }

  /** One explained image, as listed in {@code index.json}. */
  public record Entry(long id, String trueClass, String predictedClass, double confidence, boolean correct,
      String file) {}

  /** Explains {@code model} of {@code run} on the test images of the data set at {@code data}. */
  public List<Entry> write(RunDirectory run, String model, String data, boolean overwrite) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String modelDir = run.model(model).toString();
    SavedDeepModel saved = SavedDeepModel.describe(modelDir, hadoop);
    if (saved.specialist() != null) {
      throw new UsageException(model + " is a specialist, whose network answers only among its classes: "
          + "explain the network it refines, " + saved.specialist().of());
    }
    String layer = saved.gradCamLayer();
    NativeRuntime.configure(Runtime.getRuntime().availableProcessors());
    DeepNetwork network = saved.load(modelDir, hadoop);
    List<Row> samples = samples(run, model, data);
    ImageShape shape = saved.shape();
    List<byte[]> images = new ArrayList<>();
    int[] predicted = new int[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      images.add(samples.get(i).getAs(ParquetLayout.IMAGE));
      predicted[i] = samples.get(i).getAs(Predictions.PREDICTION);
    }
    INDArray features = Nd4j.create(MinibatchBuilder.scaled(images, shape), shape.batch(images.size()), 'c');
    double[][][] heatmaps = GradCam.of(network, layer, shape).heatmaps(features, predicted);

    List<Entry> entries = new ArrayList<>();
    Path target = run.explanations(model);
    try (AtomicOutput out = AtomicOutput.begin(target.toString(), overwrite, hadoop)) {
      for (int i = 0; i < samples.size(); i++) {
        Row row = samples.get(i);
        long id = row.getAs(ParquetLayout.ID);
        int label = row.getAs(ParquetLayout.LABEL);
        double confidence = row.<Double>getList(row.fieldIndex(Predictions.PROBABILITIES)).get(predicted[i]);
        String file = String.format("%s-%s-%d.png", slug(classNames.get(label)),
            label == predicted[i] ? "correct" : "wrong", id);
        String caption = String.format("true: %s   predicted: %s (%.1f%%)", classNames.get(label),
            classNames.get(predicted[i]), 100 * confidence);
        HadoopFiles.writeBytes(new Path(out.staging(), file),
            GradCamFigure.png(images.get(i), shape.size(), heatmaps[i], upscale, caption), hadoop);
        entries.add(new Entry(id, classNames.get(label), classNames.get(predicted[i]), confidence,
            label == predicted[i], file));
      }
      HadoopFiles.writeJson(new Path(out.staging(), INDEX), entries, hadoop);
      out.commit();
    }
    LOG.info("{}: {} Grad-CAM figures in {}", model, entries.size(), target);
    return entries;
  }

  /** Per class, the first correctly and wrongly classified test images by id, with their pixels. */
  private List<Row> samples(RunDirectory run, String model, String data) {
    Dataset<Row> predictions = spark.read().parquet(run.predictions(model).toString())
        .withColumn("correct", col(ParquetLayout.LABEL).equalTo(col(Predictions.PREDICTION)));
    Dataset<Row> ranked = predictions.withColumn("rank", row_number().over(
        Window.partitionBy(ParquetLayout.LABEL, "correct").orderBy(ParquetLayout.ID)));
    Dataset<Row> chosen = ranked.filter(col("correct").and(col("rank").leq(correctPerClass))
        .or(col("correct").unary_$bang().and(col("rank").leq(wrongPerClass))));
    Dataset<Row> images = spark.read().parquet(new Path(data, ParquetLayout.TEST).toString())
        .select(ParquetLayout.ID, ParquetLayout.IMAGE);
    return chosen.join(images, ParquetLayout.ID)
        .orderBy(col(ParquetLayout.LABEL), col("correct").desc(), col(ParquetLayout.ID)).collectAsList();
  }

  private static String slug(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
