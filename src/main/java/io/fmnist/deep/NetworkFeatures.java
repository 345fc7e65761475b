package io.fmnist.deep;

import io.fmnist.data.ParquetLayout;
import io.fmnist.errors.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A Spark ML Transformer that runs a trained DL4J network of this project on the {@code image}
 * column and appends the activations of its feature layer ({@link SavedDeepModel#featureLayer}:
 * the CNN's dense layer, the ResNet's pooled channels) as an MLlib vector, so that an MLlib
 * classifier can learn on them (the hybrid models). It refers to the network by its saved model
 * folder ({@code RUN/models/<name>}), and so saves and loads with a PipelineModel as parameters
 * only; the network is read and broadcast on each transform and scored as {@link DeepInference}
 * scores it (per-partition minibatches, the model's test-time flips).
 */
public final class NetworkFeatures extends Transformer implements MLWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> model;
  private final Param<String> outputCol;
  private final IntParam batchSize;

  public NetworkFeatures() {
    this(Identifiable.randomUID("networkFeatures"));
  }

  public NetworkFeatures(String uid) {
    // The uid first: a Param takes its parent's uid when it is made.
    this.uid = uid;
    this.model = new Param<>(this, "model", "URI of the saved deep model (RUN/models/<name>)");
    this.outputCol = new Param<>(this, "outputCol", "output vector column name");
    this.batchSize = new IntParam(this, "batchSize", "images per forward pass");
    setDefault(outputCol, "networkFeatures");
    setDefault(batchSize, 256);
  }

  // Spark ML finds a transformer's params through public no-argument methods returning them.
  public Param<String> model() {
    return model;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public NetworkFeatures setModel(String uri) {
    set(model, uri);
    return this;
  }

  public NetworkFeatures setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public NetworkFeatures setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public String getModel() {
    return getOrDefault(model);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The saved network's description; bad input where there is none or it predates feature layers. */
  public SavedDeepModel description(Configuration conf) {
    SavedDeepModel saved = SavedDeepModel.describe(getModel(), conf);
    if (saved.featureLayer() == null) {
      throw new BadInputException(getModel(), "a deep model saved without a feature layer (retrain it)");
    }
    return saved;
  }

  /** The length of the feature vectors: one forward pass of a blank image through the saved network. */
  public int outputSize(Configuration conf) {
    SavedDeepModel saved = description(conf);
    return featureSize(saved, saved.load(getModel(), conf));
  }

  private static int featureSize(SavedDeepModel saved, DeepNetwork network) {
    ImageShape shape = saved.shape();
    return (int) network.activations(Nd4j.zeros(shape.batch(1)), saved.featureLayer()).length();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    if (schema.getFieldIndex(ParquetLayout.IMAGE).isEmpty()) {
      throw new IllegalArgumentException("NetworkFeatures: no column " + ParquetLayout.IMAGE);
    }
    return schema.add(new StructField(getOutputCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    SparkContext sc = dataset.sparkSession().sparkContext();
    Configuration conf = sc.hadoopConfiguration();
    SavedDeepModel saved = description(conf);
    DeepNetwork network = saved.load(getModel(), conf);
    // The size in the column's metadata, so that VectorAssembler and the classifiers need no first row.
    StructField output = new AttributeGroup(getOutputCol(), featureSize(saved, network)).toStructField();
    return DeepInference.activations(network, saved.featureLayer(), dataset.toDF(), saved.shape(),
        saved.testTimeFlip(), (Integer) getOrDefault(batchSize), Workers.threads(sc, sc.defaultParallelism()), output);
  }

  @Override
  public Transformer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }

  public static MLReader<NetworkFeatures> read() {
    return new DefaultParamsReader<>();
  }

  public static NetworkFeatures load(String path) {
    return read().load(path);
  }
}
