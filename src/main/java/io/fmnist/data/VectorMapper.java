package io.fmnist.data;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML Transformer that maps one column to a fixed-size vector column, row by row. Its
 * parameters are all it needs, so it saves and loads with MLlib's default params writer and
 * reader: a {@code PipelineModel} holding it loads back anywhere.
 *
 * @param <T> the concrete transformer, for fluent setters
 */
public abstract class VectorMapper<T extends VectorMapper<T>> extends Transformer implements MLWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;

  protected VectorMapper(String uid) {
    this.uid = uid;
    this.inputCol = new Param<>(this, "inputCol", "input column name");
    this.outputCol = new Param<>(this, "outputCol", "output vector column name");
  }

  /** The type the input column must have. */
  protected abstract DataType inputType();

  /** The length of every output vector. */
  protected abstract int outputSize();

  /** The row function; it must capture plain values only, not this transformer. */
  protected abstract UDF1<?, Vector> mapper();

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  @SuppressWarnings("unchecked")
  public T setInputCol(String value) {
    set(inputCol, value);
    return (T) this;
  }

  @SuppressWarnings("unchecked")
  public T setOutputCol(String value) {
    set(outputCol, value);
    return (T) this;
  }

  public String getInputCol() {
    return getOrDefault(inputCol);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StructField input = schema.apply(getInputCol());
    if (!input.dataType().sameType(inputType())) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": column " + getInputCol()
          + " is " + input.dataType().simpleString() + ", expected " + inputType().simpleString());
    }
    if (schema.getFieldIndex(getOutputCol()).isDefined()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": column " + getOutputCol() + " exists already");
    }
    return schema.add(outputField());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Column mapped = functions.udf(mapper(), SQLDataTypes.VectorType()).apply(dataset.col(getInputCol()));
    return dataset.withColumn(getOutputCol(), mapped.as(getOutputCol(), outputField().metadata()));
  }

  /** The output column, with its size in the metadata so that VectorAssembler needs no first row. */
  private StructField outputField() {
    return new AttributeGroup(getOutputCol(), outputSize()).toStructField();
  }

  @Override
  public Transformer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }
}
