package io.fmnist.deep;

import io.fmnist.run.OpenBlasKernels;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ND4J's native settings for one JVM (the driver in local mode, each executor on a cluster):
 * DL4J's oneDNN layer helpers switched on, and the native thread pools sized so that the Spark
 * workers sharing the JVM's cores do not oversubscribe them (measured here: 5-20x slower).
 */
public final class NativeRuntime {

  /** DL4J 1.0.0-M2.1 creates no layer helpers (oneDNN) unless this is "false"; it defaults to "true". */
  static final String HELPERS_DISABLED = "org.eclipse.deeplearning4j.helpers.disable";

  private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);
  private static int configuredThreads;
  /** OpenMP's thread count, which oneDNN's kernels use, is a setting of each calling thread. */
  private static final ThreadLocal<Integer> OPENMP_THREADS = ThreadLocal.withInitial(() -> 0);

  private NativeRuntime() {}

  /**
   * Enables the layer helpers (unless the property was set explicitly) and caps ND4J's, the BLAS's
   * and (for the calling thread, which will run the network) OpenMP's threads at {@code threads};
   * cheap to call again with the same count. Without the OpenMP cap every worker's oneDNN kernels
   * run on all the machine's cores (OMP_NUM_THREADS unset): 2 workers x 2 threads on 2 cores
   * trained the seed CNN about 12% slower here.
   */
  public static synchronized void configure(int threads) {
    OpenBlasKernels.choose(); // before ND4J loads OpenBLAS
    if (System.getProperty(HELPERS_DISABLED) == null) {
      System.setProperty(HELPERS_DISABLED, "false");
    }
    if (threads != configuredThreads) {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.factory().blas().setMaxThreads(threads);
      configuredThreads = threads;
      LOG.debug("ND4J: {} native threads per worker, oneDNN layer helpers {}", threads,
          oneDnnActive() ? "on" : "off");
    }
    if (OPENMP_THREADS.get() != threads) { // after ND4J has loaded its natives, above
      NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
      OPENMP_THREADS.set(threads);
    }
  }

  /**
   * Frees arrays now that are done with. An array outside a workspace holds native memory that
   * ND4J frees only when the garbage collector finds it, and the heap, barely used while the
   * networks train, rarely collects: per-step temporaries (BatchNorm's, minibatches, averaged
   * parameters, inference activations) grew a default pipeline by 3 GB a minute until it was
   * killed for memory in the CNN. Arrays in a workspace, views and freed ones are left alone.
   */
  public static void release(INDArray... arrays) {
    for (INDArray array : arrays) {
      if (array != null && array.closeable()) {
        array.close();
      }
    }
  }

  /** Whether DL4J's convolution and pooling layers will run through oneDNN in this JVM. */
  public static boolean oneDnnActive() {
    return !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLED, "true"))
        && BaseMKLDNNHelper.mklDnnEnabled();
  }
}
