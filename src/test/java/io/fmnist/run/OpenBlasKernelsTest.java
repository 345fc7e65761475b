package io.fmnist.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenBlasKernelsTest {

  private static final String XEON_FLAGS = "fpu sse4_2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl "
      + "avx512_bf16 amx_bf16 amx_tile";

  @Test
  void intelWithAvx512GetsSkylakeXKernels() {
    assertEquals("SKYLAKEX", OpenBlasKernels.forCpu(Map.of("vendor_id", "GenuineIntel", "flags", XEON_FLAGS)));
  }

  @Test
  void otherCpusKeepOpenBlasChoice() {
    // AMD Zen 4 has the same AVX-512 subsets: OpenBLAS 0.3.19 has its own choice for it.
    assertNull(OpenBlasKernels.forCpu(Map.of("vendor_id", "AuthenticAMD", "flags", XEON_FLAGS)));
    assertNull(OpenBlasKernels.forCpu(Map.of("vendor_id", "GenuineIntel", "flags", "fpu avx avx2 fma")));
    assertNull(OpenBlasKernels.forCpu(Map.of("vendor_id", "GenuineIntel", "flags", "avx2 avx512f avx512cd")));
    assertNull(OpenBlasKernels.forCpu(Map.of()));
  }

  @Test
  void readsTheVendorAndFlagsOfThisMachine() {
    Map<String, String> info = Machine.cpuInfo();
    assertFalse(info.getOrDefault("vendor_id", "").isBlank(), "vendor_id in /proc/cpuinfo");
    assertFalse(info.getOrDefault("flags", "").isBlank(), "flags in /proc/cpuinfo");
  }
}
