package io.fmnist.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The machine this JVM runs on, as run manifests and benchmarks name it: the same code ran about
 * twice as fast on one 2-core machine as on another, so every timing says where it came from. On
 * Linux the CPU is read from {@code /proc/cpuinfo} (what {@code lscpu} shows as "Model name",
 * with the family and model that tell CPU generations apart when a virtual machine shortens the
 * name, and the vector extensions the native kernels choose from).
 */
public record Machine(String cpu, int cores, String vectorExtensions, long maxHeapBytes) {

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");
  private static final List<String> VECTOR_FLAGS = List.of("avx2", "avx512f", "avx512_bf16", "amx_tile");

  public static Machine current() {
    Map<String, String> info = cpuInfo();
    String name = info.getOrDefault("model name", System.getProperty("os.arch"));
    String cpu = info.containsKey("cpu family")
        ? String.format("%s (family %s, model %s)", name, info.get("cpu family"), info.get("model"))
        : name;
    Set<String> flags = flags(info);
    List<String> vector = new ArrayList<>();
    for (String flag : VECTOR_FLAGS) {
      if (flags.contains(flag)) {
        vector.add(flag);
      }
    }
    return new Machine(cpu, Runtime.getRuntime().availableProcessors(),
        vector.isEmpty() ? "none of " + VECTOR_FLAGS : String.join(" ", vector), Runtime.getRuntime().maxMemory());
  }

  /** One line: "AMD EPYC (family 26, model 2), 2 cores, avx2 avx512f". */
  public String describe() {
    return cpu + ", " + cores + " cores, " + vectorExtensions;
  }

  /** The CPU's feature flags in {@link #cpuInfo()}'s fields ("avx2", "avx512f", ...). */
  static Set<String> flags(Map<String, String> cpuInfo) {
    return new HashSet<>(Arrays.asList(cpuInfo.getOrDefault("flags", "").split(" ")));
  }

  /** The first processor's fields of /proc/cpuinfo; empty where there is none. */
  static Map<String, String> cpuInfo() {
    if (!Files.isReadable(CPUINFO)) {
      return Map.of();
    }
    try (Stream<String> lines = Files.lines(CPUINFO)) {
      return lines.takeWhile(line -> !line.isBlank()).filter(line -> line.contains(":"))
          .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(':')).trim(),
              line -> line.substring(line.indexOf(':') + 1).trim(), (a, b) -> a, LinkedHashMap::new));
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** Prints {@link #describe()}: the benchmark scripts name the machine with it. */
  public static void main(String[] args) {
    System.out.println(current().describe());
  }
}
