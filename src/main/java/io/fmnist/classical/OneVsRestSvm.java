package io.fmnist.classical;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$;
import breeze.linalg.DenseVector$mcD$sp;
import breeze.optimize.CachedDiffFunction;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.OWLQN;
import io.fmnist.errors.UsageException;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.OneVsRest;
import org.apache.spark.ml.classification.OneVsRestModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * A linear SVM over many classes, one-vs-rest: the same {@link OneVsRestModel} of binary
 * {@link LinearSVCModel}s that MLlib's {@code OneVsRest(LinearSVC)} fits, fitted with far fewer
 * passes over the data. MLlib fits the binary SVMs independently, and each one standardises and
 * blocks its own copy of the features (54,000 x 2,404 doubles here: 1 GB) and reads it about twice
 * per L-BFGS iteration, at the memory's pace (915 passes for ten classes). Here the features are
 * standardised and blocked once, and every class's optimiser (MLlib's own: Breeze's OWLQN without
 * L1, on the same objective from the same start) runs in its own thread, in {@link Lockstep}: each
 * pass over the blocks evaluates every class's point at once ({@link HingeLosses}), so each class
 * takes the steps it would take alone.
 *
 * <p>The hyperparameters are those of the {@link LinearSVC} given ({@code maxIter},
 * {@code regParam}, {@code tol}, {@code standardization}, {@code fitIntercept},
 * {@code aggregationDepth}, {@code maxBlockSizeInMB}, {@code threshold}); instance weights are not
 * supported.
 */
public final class OneVsRestSvm extends Estimator<OneVsRestModel> {

  private static final Logger LOG = LoggerFactory.getLogger(OneVsRestSvm.class);
  private static final int PASSES_PER_PROGRESS_LINE = 25;

  private final String uid;
  private final LinearSVC svc;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  private final Param<String> rawPredictionCol;

  public OneVsRestSvm(LinearSVC svc) {
    this(Identifiable$.MODULE$.randomUID("oneVsRestSvm"), svc);
  }

  private OneVsRestSvm(String uid, LinearSVC svc) {
    this.uid = uid;
    this.svc = svc;
    featuresCol = new Param<>(this, "featuresCol", "features column name");
    labelCol = new Param<>(this, "labelCol", "label column name: class indices 0, 1, ...");
    predictionCol = new Param<>(this, "predictionCol", "prediction column name");
    rawPredictionCol = new Param<>(this, "rawPredictionCol", "each class's margin");
    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    setDefault(predictionCol, "prediction");
    setDefault(rawPredictionCol, "rawPrediction");
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public OneVsRestSvm copy(ParamMap extra) {
    OneVsRestSvm copy = new OneVsRestSvm(uid, svc.copy(extra));
    return copyValues(copy, extra);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return mllibEquivalent().transformSchema(schema);
  }

  @Override
  public OneVsRestModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    if (svc.isDefined(svc.weightCol()) && !svc.getWeightCol().isEmpty()) {
      throw new UsageException("the one-vs-rest SVM does not support instance weights (weightCol "
          + svc.getWeightCol() + ")");
    }
    String features = $(featuresCol);
    Row summary = dataset.select(Summarizer.metrics("mean", "std").summary(col(features)).as("s"),
        max(col($(labelCol))).as("top")).first();
    Row stats = summary.getStruct(0);
    double[] mean = ((Vector) stats.getAs("mean")).toArray();
    double[] std = ((Vector) stats.getAs("std")).toArray();
    int classes = ((Number) summary.getAs("top")).intValue() + 1;
    int numFeatures = mean.length;
    double[] inverseStd = new double[numFeatures];
    double[] scaledMean = new double[numFeatures];
    for (int j = 0; j < numFeatures; j++) {
      inverseStd[j] = std[j] != 0 ? 1 / std[j] : 0;
      scaledMean[j] = inverseStd[j] * mean[j];
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    Broadcast<double[]> scale = jsc.broadcast(inverseStd);
    Broadcast<double[]> centre = jsc.broadcast(scaledMean);
    JavaRDD<HingeLosses.Block> blocks = blocks(dataset.select(col($(labelCol)).cast("int"), col(features)).toJavaRDD(),
        scale, rowsPerBlock(numFeatures)).persist(StorageLevel.MEMORY_AND_DISK());
    blocks.setName("one-vs-rest SVM training blocks");
    try {
      Objective objective = new Objective(blocks, centre, std, numFeatures, classes);
      double[][] solutions = optimiseEveryClass(objective, classes, numFeatures + 1);
      LOG.info("one-vs-rest SVM: {} classes fitted in {} passes over the data, {} s", classes, objective.passes,
          objective.seconds());
      ClassificationModel<?, ?>[] models = new ClassificationModel<?, ?>[classes];
      for (int k = 0; k < classes; k++) {
        models[k] = binaryModel(solutions[k], std, scaledMean);
      }
      OneVsRestModel model = new OneVsRestModel(uid, NominalAttribute.defaultAttr().withName("label")
          .withNumValues(classes).toMetadata(), models);
      // The saved model carries its classifier, as OneVsRest's does, so MLlib's reader loads it.
      model.set("classifier", svc);
      model.setFeaturesCol(features).setPredictionCol($(predictionCol)).setRawPredictionCol($(rawPredictionCol));
      return model.setParent(this);
    } finally {
      blocks.unpersist(false);
      scale.destroy();
      centre.destroy();
    }
  }

  /** MLlib's estimator of the same model, for the output schema. */
  private OneVsRest mllibEquivalent() {
    return new OneVsRest().setClassifier(svc).setFeaturesCol($(featuresCol)).setLabelCol($(labelCol))
        .setPredictionCol($(predictionCol)).setRawPredictionCol($(rawPredictionCol));
  }

  /** As many rows per block as fit {@code maxBlockSizeInMB} (MLlib's default, 1 MB, when 0). */
  private int rowsPerBlock(int numFeatures) {
    double megabytes = svc.getMaxBlockSizeInMB() > 0 ? svc.getMaxBlockSizeInMB() : 1.0;
    return Math.max(1, (int) (megabytes * 1024 * 1024 / (8.0 * numFeatures)));
  }

  private static JavaRDD<HingeLosses.Block> blocks(JavaRDD<Row> rows, Broadcast<double[]> scale, int rowsPerBlock) {
    return rows.mapPartitions(partition -> new Iterator<HingeLosses.Block>() {
      @Override
      public boolean hasNext() {
        return partition.hasNext();
      }

      @Override
      public HingeLosses.Block next() {
        double[] inverseStd = scale.value();
        int width = inverseStd.length;
        List<Row> taken = new ArrayList<>(rowsPerBlock);
        while (taken.size() < rowsPerBlock && partition.hasNext()) {
          taken.add(partition.next());
        }
        int[] labels = new int[taken.size()];
        double[] values = new double[taken.size() * width];
        for (int r = 0; r < labels.length; r++) {
          labels[r] = taken.get(r).getInt(0);
          // The pipeline's features are dense (standardised, centred): a sparse row is densified.
          double[] row = ((Vector) taken.get(r).get(1)).toArray();
          for (int j = 0; j < width; j++) {
            values[r * width + j] = row[j] * inverseStd[j];
          }
        }
        return new HingeLosses.Block(labels, values);
      }
    });
  }

  /** Every class's loss and gradient at its point, from one pass over the blocks, with the L2 penalty. */
  private final class Objective {
    private final JavaRDD<HingeLosses.Block> blocks;
    private final Broadcast<double[]> centre;
    private final double[] std;
    private final int numFeatures;
    private final int classes;
    private final long start = System.nanoTime();
    private int passes;

    Objective(JavaRDD<HingeLosses.Block> blocks, Broadcast<double[]> centre, double[] std, int numFeatures, int classes) {
      this.blocks = blocks;
      this.centre = centre;
      this.std = std;
      this.numFeatures = numFeatures;
      this.classes = classes;
    }

    @SuppressWarnings("unchecked")
    Tuple2<Object, DenseVector<Object>>[] evaluate(double[][] points) {
      int stride = numFeatures + 1;
      double[] all = new double[classes * stride];
      for (int k = 0; k < classes; k++) {
        System.arraycopy(points[k], 0, all, k * stride, stride);
      }
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
      Broadcast<double[]> coefficients = jsc.broadcast(all);
      Broadcast<double[]> means = centre;
      int width = numFeatures;
      int count = classes;
      boolean intercept = svc.getFitIntercept();
      HingeLosses sums = blocks.treeAggregate(new HingeLosses(width, count, intercept),
          (sum, block) -> sum.add(block, coefficients.value(), means.value()), HingeLosses::merge,
          svc.getAggregationDepth());
      coefficients.destroy();
      if (++passes % PASSES_PER_PROGRESS_LINE == 0) {
        LOG.info("one-vs-rest SVM: {} passes over the data for {} classes, {} s", passes, classes, seconds());
      }
      Tuple2<Object, DenseVector<Object>>[] answers = new Tuple2[classes];
      for (int k = 0; k < classes; k++) {
        double[] gradient = sums.gradient(k);
        double penalty = 0;
        double regParam = svc.getRegParam();
        for (int j = 0; j < numFeatures; j++) {
          // As MLlib's L2Regularization: on the standardised coefficients, or, without
          // standardisation, as if on the original ones.
          double w = points[k][j];
          double scaled = svc.getStandardization() ? w : std[j] != 0 ? w / (std[j] * std[j]) : 0;
          penalty += w * scaled;
          gradient[j] += regParam * scaled;
        }
        answers[k] = new Tuple2<>(sums.loss(k) + 0.5 * regParam * penalty, new DenseVector$mcD$sp(gradient));
      }
      return answers;
    }

    String seconds() {
      return String.format("%.1f", (System.nanoTime() - start) / 1e9);
    }
  }

  /** Each class's coefficients in the standardised space, intercept last, from one thread each. */
  private double[][] optimiseEveryClass(Objective objective, int classes, int dimension) {
    Lockstep<Tuple2<Object, DenseVector<Object>>> lockstep = new Lockstep<>(classes, objective::evaluate);
    ExecutorService threads = Executors.newFixedThreadPool(classes, runnable -> {
      Thread thread = new Thread(runnable, "one-vs-rest-svm");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<double[]>> solutions = new ArrayList<>();
      for (int k = 0; k < classes; k++) {
        int label = k;
        solutions.add(threads.submit(() -> optimise(lockstep, label, dimension)));
      }
      double[][] result = new double[classes][];
      for (int k = 0; k < classes; k++) {
        result[k] = solutions.get(k).get();
      }
      return result;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fitting the one-vs-rest SVM", e);
    } finally {
      threads.shutdownNow();
    }
  }

  /** MLlib's LinearSVC optimisation of class {@code k} against the rest, its evaluations shared. */
  private double[] optimise(Lockstep<Tuple2<Object, DenseVector<Object>>> lockstep, int k, int dimension) {
    try {
      OWLQN<Object, DenseVector<Object>> owlqn = new OWLQN<>(svc.getMaxIter(), 10, 0.0, svc.getTol(),
          DenseVector$.MODULE$.space_Double());
      scala.collection.Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> states =
          owlqn.iterations(objectiveOf(lockstep, k), new DenseVector$mcD$sp(new double[dimension]));
      FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state = null;
      while (states.hasNext()) {
        state = states.next();
      }
      if (state == null) {
        throw new IllegalStateException("the SVM of class " + k + " took no step");
      }
      return state.x().toArray$mcD$sp(ClassTag$.MODULE$.Double());
    } finally {
      lockstep.leave(k);
    }
  }

  /**
   * Class {@code k}'s objective as a Breeze {@code DiffFunction}, each evaluation asked of the
   * lockstep; cached at the last point, as MLlib caches its loss function, so that the
   * optimiser's evaluations are MLlib's.
   */
  private static DiffFunction<DenseVector<Object>> objectiveOf(
      Lockstep<Tuple2<Object, DenseVector<Object>>> lockstep, int k) {
    DiffFunction<DenseVector<Object>> evaluation =
        diffFunction(x -> lockstep.ask(k, x.toArray$mcD$sp(ClassTag$.MODULE$.Double())));
    return new CachedDiffFunction<>(evaluation, DenseVector$.MODULE$.canCopyDenseVector(ClassTag$.MODULE$.Double()));
  }

  /**
   * A Breeze {@code DiffFunction} whose {@code calculate} is {@code calculate}. Java can neither
   * implement the Scala trait nor proxy it: it declares {@code apply(x)} twice, returning
   * {@code Object} (from {@code Function1}) and {@code double}. The lambda metafactory makes the
   * class that Scala would, implementing {@code calculate}; the trait's defaults ({@code apply},
   * {@code valueAt}, {@code gradientAt}) call it, and Breeze's optimisers call nothing else.
   */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> diffFunction(
      Function<DenseVector<Object>, Tuple2<Object, DenseVector<Object>>> calculate) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodType erased = MethodType.methodType(Tuple2.class, Object.class);
      CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
          MethodType.methodType(DiffFunction.class, Function.class), erased,
          lookup.findVirtual(Function.class, "apply", MethodType.methodType(Object.class, Object.class)), erased);
      return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(calculate);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot make a Breeze DiffFunction", e);
    }
  }

  /** Back to the original space, as MLlib's LinearSVC does: coefficients / std, the centring into the intercept. */
  private LinearSVCModel binaryModel(double[] solution, double[] std, double[] scaledMean) {
    int numFeatures = std.length;
    double[] coefficients = new double[numFeatures];
    double centring = 0;
    for (int j = 0; j < numFeatures; j++) {
      coefficients[j] = std[j] != 0 ? solution[j] / std[j] : 0;
      centring += solution[j] * scaledMean[j];
    }
    double intercept = svc.getFitIntercept() ? solution[numFeatures] - centring : 0;
    LinearSVCModel model = new LinearSVCModel(svc.uid(), Vectors.dense(coefficients), intercept);
    return model.setThreshold(svc.getThreshold()).setParent(svc);
  }
}
