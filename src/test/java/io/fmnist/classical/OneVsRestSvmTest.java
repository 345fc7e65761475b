package io.fmnist.classical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.data.FashionMnist;
import io.fmnist.data.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.OneVsRest;
import org.apache.spark.ml.classification.OneVsRestModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-vs-rest SVM against MLlib's OneVsRest(LinearSVC), on real images. */
class OneVsRestSvmTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void withoutStandardisationOrInterceptTooItFitsMllibsModel() {
    Dataset<Row> images = pixels(1000).cache();
    LinearSVC svc = new LinearSVC().setMaxIter(10).setRegParam(0.01).setStandardization(false).setFitIntercept(false);
    OneVsRestModel mllib = new OneVsRest().setClassifier(svc).fit(images);
    OneVsRestModel batched = new OneVsRestSvm(svc.copy(new org.apache.spark.ml.param.ParamMap())).fit(images);
    assertSameModels(mllib, batched);
    for (int k = 0; k < 10; k++) {
      assertEquals(0.0, ((LinearSVCModel) batched.models()[k]).intercept());
    }
    images.unpersist();
  }

  @Test
  void fitsMllibsModelInAFractionOfItsPasses(@TempDir Path tmp) throws java.io.IOException {
    Dataset<Row> images = pixels(1500).cache();
    LinearSVC svc = new LinearSVC().setMaxIter(15).setRegParam(0.01).setTol(1e-6);

    spark.sparkContext().setJobGroup("mllib", "MLlib's one-vs-rest", false);
    OneVsRestModel mllib = new OneVsRest().setClassifier(svc).setParallelism(2).fit(images);
    spark.sparkContext().setJobGroup("batched", "the batched one-vs-rest", false);
    OneVsRestModel batched = new OneVsRestSvm(svc.copy(new org.apache.spark.ml.param.ParamMap())).fit(images);
    spark.sparkContext().clearJobGroup();

    assertSameModels(mllib, batched);
    List<Row> expected = mllib.transform(images).select("prediction").collectAsList();
    List<Row> actual = batched.transform(images).select("prediction").collectAsList();
    assertEquals(expected, actual);

    int mllibPasses = spark.sparkContext().statusTracker().getJobIdsForGroup("mllib").length;
    int batchedPasses = spark.sparkContext().statusTracker().getJobIdsForGroup("batched").length;
    assertTrue(batchedPasses * 5 < mllibPasses, batchedPasses + " Spark jobs against MLlib's " + mllibPasses);

    // It saves and loads as MLlib's own model.
    String saved = tmp.resolve("ovr").toString();
    batched.save(saved);
    assertEquals(actual, OneVsRestModel.load(saved).transform(images).select("prediction").collectAsList());
    images.unpersist();
  }

  /** The same optimisation of the same objective; only the order of the sums differs. */
  private static void assertSameModels(OneVsRestModel mllib, OneVsRestModel batched) {
    assertEquals(10, batched.models().length);
    for (int k = 0; k < 10; k++) {
      LinearSVCModel expected = (LinearSVCModel) mllib.models()[k];
      LinearSVCModel actual = assertInstanceOf(LinearSVCModel.class, batched.models()[k]);
      double scale = java.util.Arrays.stream(expected.coefficients().toArray()).map(Math::abs).max().orElseThrow();
      double[] difference = expected.coefficients().toArray().clone();
      for (int j = 0; j < difference.length; j++) {
        difference[j] -= actual.coefficients().apply(j);
      }
      double largest = java.util.Arrays.stream(difference).map(Math::abs).max().orElseThrow();
      assertTrue(largest < 1e-6 * scale, "class " + k + ": coefficients differ by " + largest + " of " + scale);
      assertEquals(expected.intercept(), actual.intercept(), 1e-6 * Math.max(1, Math.abs(expected.intercept())), "class " + k);
    }
  }

  @Test
  void refusesInstanceWeights() {
    LinearSVC weighted = new LinearSVC().setWeightCol("weight");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> new OneVsRestSvm(weighted).fit(pixels(20)));
    assertTrue(e.getMessage().contains("weightCol weight"), e.getMessage());
  }

  private Dataset<Row> pixels(int count) {
    List<byte[]> images = FashionMnist.trainImages(count);
    int[] labels = FashionMnist.trainLabels(count);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double[] values = new double[784];
      for (int p = 0; p < 784; p++) {
        values[p] = (images.get(i)[p] & 0xff) / 255.0;
      }
      rows.add(RowFactory.create(labels[i], Vectors.dense(values)));
    }
    StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features", new VectorUDT());
    return spark.createDataFrame(rows, schema).repartition(2);
  }
}
