package org.apache.spark.mllib.tree.impurity;

import java.util.Arrays;

/**
 * Patch of Spark 3.5's class of the same name, not application code; see {@link GiniCalculator}.
 * Spark's {@code getCalculator} copies a bin's class counts through a Scala view
 * ({@code allStats.view.slice(...).toArray}), boxing each; the split search calls it twice for
 * every candidate split. This copies them with {@link Arrays#copyOfRange}; the rest is Spark's.
 */
public class GiniAggregator extends ImpurityAggregator {

  /** Spark 3.5.6's computed value; the one field is Spark's too. */
  private static final long serialVersionUID = 1243452601331156159L;

  private final int numClasses;

  public GiniAggregator(int numClasses) {
    super(numClasses + 1);
    this.numClasses = numClasses;
  }

  @Override
  public void update(double[] allStats, int offset, double label, int numSamples, double sampleWeight) {
    if (label >= numClasses) {
      throw new IllegalArgumentException("GiniAggregator given label " + label
          + " but requires label < numClasses (= " + numClasses + ").");
    }
    if (label < 0) {
      throw new IllegalArgumentException("GiniAggregator given label " + label
          + "but requires label to be non-negative.");
    }
    allStats[offset + (int) label] += numSamples * sampleWeight;
    allStats[offset + statsSize() - 1] += numSamples;
  }

  @Override
  public GiniCalculator getCalculator(double[] allStats, int offset) {
    return new GiniCalculator(Arrays.copyOfRange(allStats, offset, offset + statsSize() - 1),
        (long) allStats[offset + statsSize() - 1]);
  }
}
