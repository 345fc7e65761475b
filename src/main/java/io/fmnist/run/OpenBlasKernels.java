package io.fmnist.run;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernels ND4J's OpenBLAS runs (0.3.19, built for every x86-64 CPU: it picks its kernels by
 * CPU model as it loads). On an Intel CPU newer than the library, the Xeon of family 6 model 207
 * here, it falls back to its AVX2 (Haswell) kernels: 30 GFLOP/s of double-precision GEMM on one
 * core against 72 with its AVX-512 (SkylakeX) ones, and MLlib's MLP trained in 208 s instead of
 * 46 s on the Xeon before it (model 167, which OpenBLAS knows). So where the CPU is Intel with the
 * AVX-512 subsets the SkylakeX kernels use and {@code OPENBLAS_CORETYPE} is unset, this sets it to
 * {@code SKYLAKEX} in the process's environment before OpenBLAS loads: what OpenBLAS picks by
 * itself on every Intel AVX-512 CPU it knows. Every other CPU (AMD's Zen 4 with AVX-512 included,
 * for which OpenBLAS 0.3.19 has its own choice) keeps OpenBLAS's.
 */
public final class OpenBlasKernels {

  static final String CORETYPE = "OPENBLAS_CORETYPE";
  private static final List<String> SKYLAKEX_FLAGS = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
  private static final Logger LOG = LoggerFactory.getLogger(OpenBlasKernels.class);
  private static String chosen;

  private OpenBlasKernels() {}

  /** libc's setenv: Java cannot change its own process's environment, which OpenBLAS reads. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);
  }

  /** Sets the kernels before OpenBLAS first loads in this JVM; a no-op after, and on a second call. */
  public static synchronized void choose() {
    if (chosen != null) {
      return;
    }
    chosen = System.getenv(CORETYPE);
    String wanted = chosen == null ? forCpu(Machine.cpuInfo()) : null;
    if (wanted != null && !loaded()) {
      try {
        Native.loadLibrary("c", LibC.class).setenv(CORETYPE, wanted, 0);
        chosen = wanted;
        LOG.debug("OpenBLAS: {}={} (an Intel AVX-512 CPU)", CORETYPE, wanted);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("could not set {} ({}); OpenBLAS chooses its own kernels", CORETYPE, e.getMessage());
      }
    }
    if (chosen == null) {
      chosen = "";
    }
  }

  /** The kernels set for this JVM, as run.json records them: "OPENBLAS_CORETYPE=SKYLAKEX", or "". */
  public static synchronized String describe() {
    return chosen == null || chosen.isEmpty() ? "" : CORETYPE + "=" + chosen;
  }

  /** SKYLAKEX for an Intel CPU with AVX-512's F, CD, BW, DQ and VL; null (OpenBLAS's own choice) otherwise. */
  static String forCpu(Map<String, String> cpuInfo) {
    return "GenuineIntel".equals(cpuInfo.get("vendor_id")) && Machine.flags(cpuInfo).containsAll(SKYLAKEX_FLAGS)
        ? "SKYLAKEX" : null;
  }

  private static boolean loaded() {
    return Loader.getLoadedLibraries().keySet().stream().anyMatch(name -> name.startsWith("openblas"));
  }
}
