package io.fmnist.classical;

import com.typesafe.config.Config;
import io.fmnist.data.ImageToVector;
import io.fmnist.errors.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * The feature part of a classical model's pipeline, from its configuration: pixels scaled to
 * [0, 1] and/or HOG descriptors, assembled into one vector, then optionally standardised,
 * reduced by PCA and mapped by random Fourier features. Every stage saves with the pipeline.
 */
record FeatureStages(List<PipelineStage> stages, String outputCol, int outputSize) {

  /**
   * @param model the model's configuration ({@code features}, {@code standardize}, {@code pca},
   *     {@code fourier}); {@code hog} the shared HOG settings
   */
  static FeatureStages build(Config model, Config hog, int rows, int cols, long seed, String origin) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    int size = 0;
    for (String feature : model.getStringList("features")) {
      switch (feature) {
        case "pixels" -> {
          stages.add(new ImageToVector().setSize(rows * cols));
          inputs.add("pixels");
          size += rows * cols;
        }
        case "hog" -> {
          for (int cell : hog.getIntList("cell-sizes")) {
            HogFeatures stage = new HogFeatures().setShape(rows, cols).setCellSize(cell)
                .setBins(hog.getInt("bins")).setOutputCol("hog" + cell);
            stages.add(stage);
            inputs.add(stage.getOutputCol());
            size += stage.outputSize();
          }
        }
        default -> throw new UsageException(origin + ".features: unknown feature '" + feature
            + "' (pixels, hog)");
      }
    }
    if (inputs.isEmpty()) {
      throw new UsageException(origin + ".features: name at least one of pixels, hog");
    }
    String column = "assembled";
    stages.add(new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol(column));
    if (model.getBoolean("standardize")) {
      stages.add(new StandardScaler().setWithMean(true).setWithStd(true).setInputCol(column).setOutputCol("standardized"));
      column = "standardized";
    }
    int pca = model.getInt("pca");
    if (pca > 0) {
      stages.add(new PCA().setK(pca).setInputCol(column).setOutputCol("pca"));
      column = "pca";
      size = pca;
    }
    int fourier = model.getInt("fourier.dim");
    if (fourier > 0) {
      stages.add(new RandomFourierFeatures().setDim(fourier).setGamma(model.getDouble("fourier.gamma"))
          .setSeed(seed).setInputSize(size).setInputCol(column).setOutputCol("fourier"));
      column = "fourier";
      size = fourier;
    }
    return new FeatureStages(stages, column, size);
  }
}
