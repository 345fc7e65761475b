package io.fmnist.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Random;
import java.util.Set;
import org.apache.spark.mllib.tree.impurity.GiniAggregator;
import org.apache.spark.mllib.tree.impurity.GiniCalculator;
import org.apache.spark.mllib.tree.impurity.ImpurityAggregator;
import org.apache.spark.mllib.tree.impurity.ImpurityCalculator;
import org.junit.jupiter.api.Test;

/**
 * This project's GiniCalculator and GiniAggregator (src/main/java/org/apache/spark/...) against
 * Spark's own, loaded from spark-mllib's jar beside them: the same numbers to the bit on random
 * statistics, the same errors, and each one reads what the other serialized.
 */
class MllibGiniTest {

  private static final Set<String> PATCHED = Set.of(
      "org.apache.spark.mllib.tree.impurity.GiniCalculator", "org.apache.spark.mllib.tree.impurity.GiniAggregator");

  /** Loads Spark's two classes from its jar and everything else from this JVM's class path. */
  private static final class SparksOwn extends ClassLoader {
    private final URLClassLoader jar;

    SparksOwn() {
      super(MllibGiniTest.class.getClassLoader());
      URL mllib = ImpurityCalculator.class.getProtectionDomain().getCodeSource().getLocation();
      jar = new URLClassLoader(new URL[] {mllib}, null);
    }

    @Override
    protected synchronized Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!PATCHED.contains(name)) {
        return super.loadClass(name, resolve);
      }
      Class<?> loaded = findLoadedClass(name);
      if (loaded != null) {
        return loaded;
      }
      try (InputStream in = jar.getResourceAsStream(name.replace('.', '/') + ".class")) {
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final SparksOwn spark = new SparksOwn();

  private ImpurityCalculator sparkCalculator(double[] stats, long rawCount) throws Exception {
    return (ImpurityCalculator) spark.loadClass("org.apache.spark.mllib.tree.impurity.GiniCalculator")
        .getConstructor(double[].class, long.class).newInstance(stats, rawCount);
  }

  private ImpurityAggregator sparkAggregator(int classes) throws Exception {
    return (ImpurityAggregator) spark.loadClass("org.apache.spark.mllib.tree.impurity.GiniAggregator")
        .getConstructor(int.class).newInstance(classes);
  }

  @Test
  void thisJvmRunsThePatchAndTheComparisonRunsSparks() throws Exception {
    assertTrue(MllibGini.patched(), MllibGini.describe());
    assertSame(GiniCalculator.class, ImpurityCalculator.getCalculator("gini", new double[3], 0).getClass());
    ImpurityCalculator theirs = sparkCalculator(new double[3], 0);
    assertNotSame(GiniCalculator.class, theirs.getClass());
    assertEquals(GiniCalculator.class.getName(), theirs.getClass().getName());
  }

  @Test
  void calculatorsGiveSparksNumbersToTheBit() throws Exception {
    Random random = new Random(7);
    for (int trial = 0; trial < 2_000; trial++) {
      int classes = 2 + random.nextInt(10);
      double[] stats = new double[classes];
      for (int c = 0; c < classes; c++) {
        // Whole counts mostly (unweighted points), empty classes and fractional weights too.
        int kind = random.nextInt(4);
        stats[c] = kind == 0 ? 0 : kind == 1 ? random.nextDouble() * 1e3 : random.nextInt(50_000);
      }
      if (trial % 100 == 0) {
        stats = new double[classes];
      }
      long rawCount = random.nextInt(60_000);
      ImpurityCalculator ours = new GiniCalculator(stats.clone(), rawCount);
      ImpurityCalculator theirs = sparkCalculator(stats.clone(), rawCount);
      assertBits(theirs.count(), ours.count(), "count of " + theirs);
      assertBits(theirs.calculate(), ours.calculate(), "impurity of " + theirs);
      assertBits(theirs.predict(), ours.predict(), "prediction of " + theirs);
      for (int label = 0; label < classes; label++) {
        assertBits(theirs.prob(label), ours.prob(label), "probability of " + label + " in " + theirs);
      }
      assertEquals(theirs.toString(), ours.toString());
      assertEquals(theirs.rawCount(), ours.rawCount());
      ImpurityCalculator copy = ours.copy();
      assertSame(GiniCalculator.class, copy.getClass());
      assertNotSame(ours.stats(), copy.stats());
      assertArrayEquals(ours.stats(), copy.stats());
      assertEquals(ours.rawCount(), copy.rawCount());
    }
  }

  @Test
  void invalidLabelsFailAsInSpark() throws Exception {
    ImpurityCalculator ours = new GiniCalculator(new double[] {1, 2, 3}, 6);
    ImpurityCalculator theirs = sparkCalculator(new double[] {1, 2, 3}, 6);
    for (double label : new double[] {3, -1}) {
      assertEquals(thrown(() -> theirs.prob(label)), thrown(() -> ours.prob(label)));
    }
    ImpurityAggregator ourAggregator = new GiniAggregator(3);
    ImpurityAggregator theirAggregator = sparkAggregator(3);
    for (double label : new double[] {3, -1}) {
      assertEquals(thrown(() -> theirAggregator.update(new double[4], 0, label, 1, 1.0)),
          thrown(() -> ourAggregator.update(new double[4], 0, label, 1, 1.0)));
    }
  }

  @Test
  void aggregatorsBinAndReadStatisticsAsSparks() throws Exception {
    Random random = new Random(11);
    int classes = 10;
    int bins = 16;
    ImpurityAggregator ours = new GiniAggregator(classes);
    ImpurityAggregator theirs = sparkAggregator(classes);
    assertEquals(theirs.statsSize(), ours.statsSize());
    double[] ourStats = new double[bins * ours.statsSize()];
    double[] theirStats = new double[bins * theirs.statsSize()];
    for (int point = 0; point < 20_000; point++) {
      int offset = random.nextInt(bins) * ours.statsSize();
      double label = random.nextInt(classes);
      int samples = random.nextInt(3);
      double weight = random.nextBoolean() ? 1.0 : random.nextDouble();
      ours.update(ourStats, offset, label, samples, weight);
      theirs.update(theirStats, offset, label, samples, weight);
    }
    assertArrayEquals(theirStats, ourStats);
    // The split search's cumulative sums: merge is the shared base class's, so both read one copy.
    for (int bin = 1; bin < bins; bin++) {
      ours.merge(ourStats, bin * ours.statsSize(), (bin - 1) * ours.statsSize());
    }
    for (int bin = 0; bin < bins; bin++) {
      ImpurityCalculator mine = ours.getCalculator(ourStats, bin * ours.statsSize());
      ImpurityCalculator sparks = theirs.getCalculator(ourStats, bin * theirs.statsSize());
      assertSame(GiniCalculator.class, mine.getClass());
      assertArrayEquals(sparks.stats(), mine.stats(), "bin " + bin);
      assertEquals(sparks.rawCount(), mine.rawCount(), "bin " + bin);
      assertBits(sparks.calculate(), mine.calculate(), "bin " + bin);
    }
  }

  @Test
  void eachReadsWhatTheOtherSerialized() throws Exception {
    double[] stats = {4, 0, 17.5, 3};
    ImpurityCalculator fromSpark = (ImpurityCalculator) roundTrip(sparkCalculator(stats, 25), getClass().getClassLoader());
    assertSame(GiniCalculator.class, fromSpark.getClass());
    assertArrayEquals(stats, fromSpark.stats());
    assertEquals(25, fromSpark.rawCount());
    ImpurityCalculator toSpark = (ImpurityCalculator) roundTrip(new GiniCalculator(stats, 25), spark);
    assertNotSame(GiniCalculator.class, toSpark.getClass());
    assertArrayEquals(stats, toSpark.stats());
    assertEquals(25, toSpark.rawCount());
    ImpurityAggregator aggregator = (ImpurityAggregator) roundTrip(new GiniAggregator(10), spark);
    assertEquals(11, aggregator.statsSize());
    assertThrows(IllegalArgumentException.class, () -> aggregator.update(new double[11], 0, 10, 1, 1.0));
  }

  private static Object roundTrip(Object value, ClassLoader reader) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())) {
      @Override
      protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        return Class.forName(desc.getName(), false, reader);
      }
    }) {
      return in.readObject();
    }
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        () -> what + ": Spark " + expected + ", this project " + actual);
  }

  private static String thrown(Runnable call) {
    Throwable error = assertThrows(Throwable.class, call::run);
    while (error instanceof InvocationTargetException && error.getCause() != null) {
      error = error.getCause();
    }
    return error.getClass().getName() + ": " + error.getMessage();
  }
}
