package io.fmnist.classical;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.fmnist.data.ImageSize;
import io.fmnist.data.ImageToVector;
import io.fmnist.deep.NetworkFeatures;
import io.fmnist.errors.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * The feature part of a classical model's pipeline, from its configuration: the extraction
 * (pixels of every channel scaled to [0, 1], HOG descriptors and/or a trained network's penultimate activations
 * ({@link NetworkFeatures}, for the hybrid models), assembled into one vector; transformers that
 * learn nothing, the same for every model that names the same features) and the fitted rest
 * (optionally standardised, reduced by PCA, mapped by random Fourier features). Every stage saves
 * with the model's pipeline.
 *
 * @param extraction the extracting transformers; {@code extractionKey} names what they compute
 * @param fitted the stages after them, fitted with the classifier
 */
record FeatureStages(List<Transformer> extraction, String extractionKey, List<PipelineStage> fitted,
    String outputCol, int outputSize) {

  /** The column the extraction writes. */
  static final String EXTRACTED = "assembled";

  /** The deep models among a classical model's features: the models it consumes. */
  static List<String> networks(Config model, Collection<String> deepModels) {
    return model.getStringList("features").stream().filter(deepModels::contains).toList();
  }

  /**
   * @param model the model's configuration ({@code features}, {@code standardize}, {@code pca},
   *     {@code fourier}); {@code hog} the shared HOG settings
   * @param networks the saved model folder of each deep model a feature may name
   */
  static FeatureStages build(Config model, Config hog, ImageSize image, long seed, String origin,
      Map<String, String> networks, Configuration conf) {
    List<Transformer> extraction = new ArrayList<>();
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    int size = 0;
    for (String feature : model.getStringList("features")) {
      switch (feature) {
        case "pixels" -> {
          extraction.add(new ImageToVector().setSize(image.bytes()));
          inputs.add("pixels");
          size += image.bytes();
        }
        case "hog" -> {
          for (int cell : hog.getIntList("cell-sizes")) {
            HogFeatures stage = new HogFeatures().setShape(image.rows(), image.cols())
                .setColour(image.channels(), hog.getString("colour")).setCellSize(cell)
                .setBins(hog.getInt("bins")).setOutputCol("hog" + cell);
            extraction.add(stage);
            inputs.add(stage.getOutputCol());
            size += stage.outputSize();
          }
        }
        default -> {
          if (!networks.containsKey(feature)) {
            throw new UsageException(origin + ".features: unknown feature '" + feature
                + "' (pixels, hog, or a deep model: " + String.join(", ", networks.keySet()) + ")");
          }
          NetworkFeatures stage = new NetworkFeatures().setModel(networks.get(feature))
              .setOutputCol(feature + "Features");
          extraction.add(stage);
          inputs.add(stage.getOutputCol());
          size += stage.outputSize(conf);
        }
      }
    }
    if (inputs.isEmpty()) {
      throw new UsageException(origin + ".features: name at least one of pixels, hog or a deep model");
    }
    String column = EXTRACTED;
    extraction.add(new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol(column));
    String key = model.getStringList("features") + " " + hog.root().render(ConfigRenderOptions.concise())
        + " " + image;
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
    return new FeatureStages(extraction, key, stages, column, size);
  }
}
