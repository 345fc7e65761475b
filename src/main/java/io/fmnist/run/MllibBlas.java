package io.fmnist.run;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which BLAS Spark MLlib's level-2 and level-3 operations (dev.ludovic.netlib) run on in this JVM.
 * Left alone, netlib loads the system's {@code libblas.so.3} when there is one, and that is often
 * the reference Fortran BLAS (Debian's {@code libblas3}, installed with many packages): the MLP
 * then trained 5x slower here than on the JDK's vectorised Java BLAS. This points netlib at the
 * OpenBLAS that ND4J ships in its own natives (the same library its layers use), capped at the
 * threads one task may use, before MLlib first asks for a BLAS. Must run before that; an explicit
 * {@code dev.ludovic.netlib.blas.nativeLib} or {@code nativeLibPath} property wins.
 */
public final class MllibBlas {

  static final String NATIVE_LIB = "dev.ludovic.netlib.blas.nativeLib";
  static final String NATIVE_LIB_PATH = "dev.ludovic.netlib.blas.nativeLibPath";
  private static final Logger LOG = LoggerFactory.getLogger(MllibBlas.class);
  private static String chosen;

  private MllibBlas() {}

  /** Chooses the BLAS (once per JVM); {@code threads}: the cores one Spark task may use. */
  public static synchronized String configure(int threads) {
    if (chosen == null) {
      OpenBlasKernels.choose();
      if (System.getProperty(NATIVE_LIB) == null && System.getProperty(NATIVE_LIB_PATH) == null) {
        String path = openBlas();
        if (path != null) {
          System.setProperty(NATIVE_LIB_PATH, path);
          openblas_nolapack.blas_set_num_threads(Math.max(1, threads));
        }
      }
      chosen = describe();
      LOG.debug("MLlib BLAS: {}", chosen);
    }
    return chosen;
  }

  /** What MLlib's native BLAS is in this JVM: OpenBLAS, the system's library, or the Java one. */
  public static synchronized String describe() {
    BLAS blas;
    try {
      blas = NativeBLAS.getInstance();
    } catch (RuntimeException | LinkageError e) {
      blas = JavaBLAS.getInstance();
    }
    String path = System.getProperty(NATIVE_LIB_PATH);
    String kernels = OpenBlasKernels.describe();
    return blas instanceof NativeBLAS && path != null
        ? "native " + Path.of(path).getFileName() + " (ND4J's OpenBLAS" + (kernels.isEmpty() ? "" : ", " + kernels) + ")"
        : blas instanceof NativeBLAS ? "native " + System.getProperty(NATIVE_LIB, "libblas.so.3") + " (the system's)"
        : "Java " + blas.getClass().getSimpleName();
  }

  /** The path of ND4J's OpenBLAS, extracted by JavaCPP, or null where it cannot be loaded. */
  private static String openBlas() {
    try {
      Loader.load(openblas_nolapack.class);
      String path = Loader.getLoadedLibraries().get("openblas_nolapack@.0");
      return path != null && Files.isRegularFile(Path.of(path)) ? path : null;
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("ND4J's OpenBLAS did not load ({}); MLlib keeps netlib's own choice of BLAS", e.getMessage());
      return null;
    }
  }
}
