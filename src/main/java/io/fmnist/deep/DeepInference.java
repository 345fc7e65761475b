package io.fmnist.deep;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.when;

import io.fmnist.data.ParquetLayout;
import io.fmnist.eval.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distributed inference with a DL4J network: the model is broadcast once, each partition restores
 * it and scores its images in batches, and the rows come back in the predictions contract
 * ({@code id}, {@code label} where the input has it, {@code prediction}, {@code probabilities}).
 * With {@code flipAveraged} the probabilities are the mean of the network's on the image and on
 * its mirror image (test-time augmentation for networks trained with flips). The same code gives a
 * hidden layer's activations as features for MLlib ({@link NetworkFeatures}).
 */
public final class DeepInference {

  private DeepInference() {}

  /** Scores {@code images} (columns {@code id}, {@code image}, optionally {@code label}). */
  public static Dataset<Row> predict(DeepNetwork network, Dataset<Row> images, ImageShape shape,
      boolean flipAveraged, int batchSize, int threads) {
    return predict(network, null, null, images, shape, flipAveraged, batchSize, threads);
  }

  /**
   * Scores {@code images} with {@code network} and, where {@code specialist} is not null, its
   * fine-tuned copy {@code specialistNetwork}, composed as {@link Specialist#compose} says.
   */
  public static Dataset<Row> predict(DeepNetwork network, Specialist specialist, DeepNetwork specialistNetwork,
      Dataset<Row> images, ImageShape shape, boolean flipAveraged, int batchSize, int threads) {
    boolean labelled = Arrays.asList(images.columns()).contains(ParquetLayout.LABEL);
    return images.mapPartitions(new ScorePartition(broadcast(network, images), network.kind(), shape, null,
        flipAveraged, batchSize, threads, images.schema(), specialist,
        specialist == null ? null : broadcast(specialistNetwork, images)), Encoders.row(Predictions.schema(labelled)));
  }

  /**
   * {@code images} with one more column, {@code outputCol}: the activations of the network's layer
   * {@code layer} for each image as an MLlib vector (averaged with the mirror image's with
   * {@code flipAveraged}), computed as {@link #predict} computes probabilities.
   */
  public static Dataset<Row> activations(DeepNetwork network, String layer, Dataset<Row> images, ImageShape shape,
      boolean flipAveraged, int batchSize, int threads, StructField outputCol) {
    StructType schema = images.schema().add(outputCol);
    return images.mapPartitions(new ScorePartition(broadcast(network, images), network.kind(), shape, layer,
        flipAveraged, batchSize, threads, images.schema(), null, null), Encoders.row(schema));
  }

  private static Broadcast<byte[]> broadcast(DeepNetwork network, Dataset<Row> images) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(images.sparkSession().sparkContext());
    return sc.broadcast(network.toBytes(false));
  }

  /** Accuracy and mean cross-entropy of labelled predictions. */
  public static Quality quality(Dataset<Row> predictions) {
    Row row = predictions.agg(
        avg(when(col(Predictions.PREDICTION).equalTo(col(ParquetLayout.LABEL)), 1.0).otherwise(0.0)),
        avg(log(element_at(col(Predictions.PROBABILITIES), col(ParquetLayout.LABEL).plus(1))).multiply(-1)))
        .first();
    return new Quality(row.getDouble(0), row.getDouble(1));
  }

  public record Quality(double accuracy, double loss) {}

  private static final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<byte[]> model;
    private final DeepNetwork.Kind kind;
    private final ImageShape shape;
    /** The layer whose activations are appended to each row; null: the rows become predictions. */
    private final String layer;
    private final boolean flipAveraged;
    private final int batchSize;
    private final int threads;
    // Columns by position: where Spark chains two of these (a hybrid on two networks' features) it
    // hands the second the first's rows directly, and those carry no schema to look names up in.
    private final int imageColumn;
    private final int idColumn;
    /** -1: the rows have no label. */
    private final int labelColumn;
    /** Where predictions are a specialist's composition with the network: it, and its network. */
    private final Specialist specialist;
    private final Broadcast<byte[]> specialistModel;

    ScorePartition(Broadcast<byte[]> model, DeepNetwork.Kind kind, ImageShape shape, String layer,
        boolean flipAveraged, int batchSize, int threads, StructType input, Specialist specialist,
        Broadcast<byte[]> specialistModel) {
      this.model = model;
      this.kind = kind;
      this.shape = shape;
      this.layer = layer;
      this.flipAveraged = flipAveraged;
      this.batchSize = batchSize;
      this.threads = threads;
      this.imageColumn = input.fieldIndex(ParquetLayout.IMAGE);
      this.idColumn = Arrays.asList(input.fieldNames()).indexOf(ParquetLayout.ID);
      this.labelColumn = Arrays.asList(input.fieldNames()).indexOf(ParquetLayout.LABEL);
      this.specialist = specialist;
      this.specialistModel = specialistModel;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      NativeRuntime.configure(threads);
      // Each partition restores its own copy: DL4J networks keep per-call state and are not thread-safe.
      DeepNetwork network = DeepNetwork.fromBytes(kind, model.value(), false);
      DeepNetwork specialistNetwork = specialist == null ? null : DeepNetwork.fromBytes(kind, specialistModel.value(), false);
      return new Iterator<>() {
        private final List<Row> pending = new ArrayList<>();

        @Override
        public boolean hasNext() {
          return !pending.isEmpty() || rows.hasNext();
        }

        @Override
        public Row next() {
          if (pending.isEmpty()) {
            scoreBatch();
          }
          return pending.remove(pending.size() - 1);
        }

        private void scoreBatch() {
          List<Row> batch = new ArrayList<>(batchSize);
          List<byte[]> images = new ArrayList<>(batchSize);
          while (rows.hasNext() && batch.size() < batchSize) {
            Row row = rows.next();
            batch.add(row);
            images.add((byte[]) row.get(imageColumn));
          }
          float[] pixels = MinibatchBuilder.scaled(images, shape);
          double[][] scores = scores(network, pixels, images.size());
          if (specialistNetwork != null) {
            specialist.compose(scores, scores(specialistNetwork, pixels, images.size()));
          }
          for (int i = batch.size() - 1; i >= 0; i--) {
            pending.add(layer == null ? prediction(batch.get(i), scores[i]) : withActivations(batch.get(i), scores[i]));
          }
        }

        /** One network's outputs (or layer activations), averaged with the mirror images' with {@code flipAveraged}. */
        private double[][] scores(DeepNetwork net, float[] pixels, int count) {
          INDArray input = features(pixels, count);
          INDArray output = score(net, input);
          NativeRuntime.release(input);
          if (flipAveraged) {
            INDArray mirrored = features(MinibatchBuilder.mirrored(pixels, shape), count);
            INDArray flipped = score(net, mirrored);
            output.addi(flipped).muli(0.5);
            NativeRuntime.release(mirrored, flipped);
          }
          double[][] scores = output.toDoubleMatrix();
          NativeRuntime.release(output);
          return scores;
        }

        private INDArray score(DeepNetwork net, INDArray features) {
          return layer == null ? net.output(features) : net.activations(features, layer);
        }
      };
    }

    private Row prediction(Row row, double[] probabilities) {
      Object[] out = new Object[labelColumn >= 0 ? 4 : 3];
      int k = 0;
      out[k++] = row.get(idColumn);
      if (labelColumn >= 0) {
        out[k++] = row.get(labelColumn);
      }
      out[k++] = Predictions.argmax(probabilities);
      out[k] = probabilities;
      return RowFactory.create(out);
    }

    private static Row withActivations(Row row, double[] activations) {
      Object[] out = new Object[row.length() + 1];
      for (int i = 0; i < row.length(); i++) {
        out[i] = row.get(i);
      }
      out[row.length()] = Vectors.dense(activations);
      return RowFactory.create(out);
    }

    private INDArray features(float[] pixels, int images) {
      return Nd4j.create(pixels, shape.batch(images), 'c');
    }
  }
}
