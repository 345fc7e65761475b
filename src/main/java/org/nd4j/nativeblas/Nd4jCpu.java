package org.nd4j.nativeblas;

/**
 * Compatibility shim, not application code: DL4J 1.0.0-M2.1's oneDNN layer helpers
 * ({@code BaseMKLDNNHelper.mklDnnEnabled}) look up {@code isUseMKLDNN()} on this pre-M2 class by
 * name, which ND4J M2.1 no longer has, and silently fall back to the slow built-in convolution
 * and pooling when it is missing. This class forwards that question to the M2.1 binding
 * ({@code isUseONEDNN()}), so the helpers run when the native build carries oneDNN.
 */
public final class Nd4jCpu {

  private Nd4jCpu() {}

  /** The one method pair BaseMKLDNNHelper calls by reflection. */
  public static final class Environment {

    private static final Environment INSTANCE = new Environment();

    private Environment() {}

    public static Environment getInstance() {
      return INSTANCE;
    }

    public boolean isUseMKLDNN() {
      return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
    }
  }
}
