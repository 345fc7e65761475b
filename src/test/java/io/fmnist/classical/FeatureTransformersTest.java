package io.fmnist.classical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.data.FashionMnist;
import io.fmnist.data.ImageToVector;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTransformersTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void hogOfABlankImageIsZeroAndOfAVerticalEdgeIsHorizontalGradient() {
    HogFeatures.Geometry geometry = new HogFeatures.Geometry(28, 28, 4, 9);
    assertEquals(6 * 6 * 4 * 9, geometry.size());
    assertTrue(Arrays.stream(geometry.describe(new byte[784])).allMatch(v -> v == 0));

    byte[] edge = new byte[784];
    for (int y = 0; y < 28; y++) {
      for (int x = 14; x < 28; x++) {
        edge[y * 28 + x] = (byte) 255;
      }
    }
    double[] hog = geometry.describe(edge);
    double[] byBin = new double[9];
    for (int i = 0; i < hog.length; i++) {
      byBin[i % 9] += hog[i];
    }
    // A gradient along x has orientation 0, halfway between the first and the last bin.
    assertEquals(byBin[0], byBin[8], 1e-9);
    assertTrue(byBin[0] > 0);
    for (int bin = 1; bin < 8; bin++) {
      assertEquals(0, byBin[bin], 1e-12, "bin " + bin);
    }
  }

  @Test
  void fourierFeaturesApproximateTheRbfKernelOnRealImages() {
    byte[] images = FashionMnist.decompressed(FashionMnist.TEST_IMAGES);
    double gamma = 0.01;
    RandomFourierFeatures fourier = new RandomFourierFeatures().setDim(20_000).setGamma(gamma)
        .setSeed(3).setInputSize(784);
    var map = fourier.mapper();
    double worst = 0;
    for (int i = 0; i < 5; i++) {
      Vector x = pixels(images, i);
      Vector y = pixels(images, i + 100);
      double distance = org.apache.spark.ml.linalg.Vectors.sqdist(x, y);
      double approx = dot(call(map, x), call(map, y));
      worst = Math.max(worst, Math.abs(approx - Math.exp(-gamma * distance)));
    }
    assertTrue(worst < 0.03, "largest kernel error " + worst);
  }

  @Test
  void featureStagesSaveAndLoadWithThePipeline(@TempDir Path tmp) throws Exception {
    byte[] images = FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(RowFactory.create((long) i, 0, Arrays.copyOfRange(images, 16 + i * 784, 16 + (i + 1) * 784)));
    }
    Dataset<Row> data = spark.createDataFrame(rows, ParquetLayout.SCHEMA);
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {
        new ImageToVector().setSize(784),
        new HogFeatures().setShape(28, 28).setCellSize(7),
        new RandomFourierFeatures().setDim(64).setGamma(0.5).setSeed(9).setInputSize(3 * 3 * 4 * 9)
            .setInputCol("hog").setOutputCol("fourier")}).fit(data);
    String path = tmp.resolve("features").toString();
    model.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);

    List<Row> before = model.transform(data).orderBy("id").select("pixels", "hog", "fourier").collectAsList();
    List<Row> after = loaded.transform(data).orderBy("id").select("pixels", "hog", "fourier").collectAsList();
    assertEquals(before, after);
    Vector pixels = before.get(0).getAs(0);
    assertEquals((images[16 + 300] & 0xff) / 255.0, pixels.apply(300), 1e-12);
    assertEquals(3 * 3 * 4 * 9, ((Vector) before.get(0).getAs(1)).size());
    assertArrayEquals(((Vector) before.get(7).getAs(2)).toArray(), ((Vector) after.get(7).getAs(2)).toArray());
  }

  private static Vector pixels(byte[] idx, int index) {
    return org.apache.spark.ml.linalg.Vectors.dense(
        ImageToVector.pixels(Arrays.copyOfRange(idx, 16 + index * 784, 16 + (index + 1) * 784)));
  }

  private static Vector call(org.apache.spark.sql.api.java.UDF1<Vector, Vector> map, Vector x) {
    try {
      return map.call(x);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double dot(Vector a, Vector b) {
    double sum = 0;
    for (int i = 0; i < a.size(); i++) {
      sum += a.apply(i) * b.apply(i);
    }
    return sum;
  }
}
