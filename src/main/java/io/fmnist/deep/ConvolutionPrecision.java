package io.fmnist.deep;

import java.util.Arrays;
import java.util.Locale;

/**
 * The number format of a convolution's inputs and weights on oneDNN ({@code deep.<model>.convolution-precision}).
 * In bf16 the activations, their gradients and the weights are rounded to bfloat16 as they enter
 * the convolution; oneDNN accumulates in float and writes float outputs and gradients, and the
 * parameters, the updater and every other layer stay float (mixed precision, as PyTorch's bf16
 * autocast does). Saved with each convolution layer, so a restored network runs as it trained.
 */
public enum ConvolutionPrecision {
  /**
   * bf16 where this machine's oneDNN runs the shape's bf16 kernel on AMX (Intel's matrix units,
   * Sapphire Rapids and later), float elsewhere: chosen per shape at run time. On the Intel Xeon
   * here a 128-channel 3x3 convolution of 64 6x6 images took 1.5 ms in bf16 on AMX against 9.9 ms
   * in float (forward and both backward passes, one core); the one-channel input convolution's bf16
   * kernel is not AMX's and was slower than float's, so it stays float.
   */
  AUTO,
  /** Float throughout (and every network saved before this setting). */
  F32,
  /** bf16 wherever oneDNN has a bf16 kernel for the shape, AMX or not (for comparisons). */
  BF16;

  /** The setting's value in the configuration ({@code auto}, {@code f32}, {@code bf16}). */
  public static ConvolutionPrecision parse(String value) {
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("convolution-precision must be one of "
          + Arrays.toString(values()).toLowerCase(Locale.ROOT) + ", not '" + value + "'");
    }
  }
}
