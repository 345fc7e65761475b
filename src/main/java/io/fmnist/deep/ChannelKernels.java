package io.fmnist.deep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * BatchNorm's passes over contiguous NCHW float arrays, each channel's values being N rows of H * W
 * floats: sums per channel and per-channel affine maps, several fused into one pass over memory;
 * and ReLU's gradient, one pass over arrays of any shape.
 * SIMD through the JDK's Vector API at the widest width this CPU has ({@code SPECIES_PREFERRED}:
 * 16 floats with AVX-512, 8 with AVX2), chosen by the JVM at run time; sums in float per row
 * (at most H * W values) and in double across rows.
 */
final class ChannelKernels {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private ChannelKernels() {}

  /** The native memory of a contiguous float array, and where its first value is (in bytes). */
  private record Floats(ByteBuffer buffer, int start) {
    static Floats of(INDArray x) {
      return new Floats(x.data().asNio().order(ORDER), Math.toIntExact(x.offset() * Float.BYTES));
    }
  }

  /** Per channel: the sum of (x - shift[c]) into {@code sums}, and of its square into {@code squares} (unless null). */
  static void sums(INDArray x, float[] shift, double[] sums, double[] squares) {
    Floats in = Floats.of(x);
    int channels = sums.length;
    int len = rowLength(x);
    int rows = Math.toIntExact(x.length() / len);
    int bound = SPECIES.loopBound(len);
    for (int r = 0; r < rows; r++) {
      int c = r % channels;
      int base = in.start() + r * len * Float.BYTES;
      float m = shift == null ? 0f : shift[c];
      FloatVector mv = FloatVector.broadcast(SPECIES, m);
      FloatVector s = FloatVector.zero(SPECIES);
      FloatVector q = FloatVector.zero(SPECIES);
      int i = 0;
      for (; i < bound; i += SPECIES.length()) {
        FloatVector d = FloatVector.fromByteBuffer(SPECIES, in.buffer(), base + i * Float.BYTES, ORDER).sub(mv);
        s = s.add(d);
        q = d.fma(d, q);
      }
      float sum = s.reduceLanes(VectorOperators.ADD);
      float square = q.reduceLanes(VectorOperators.ADD);
      for (; i < len; i++) {
        float d = in.buffer().getFloat(base + i * Float.BYTES) - m;
        sum += d;
        square += d * d;
      }
      sums[c] += sum;
      if (squares != null) {
        squares[c] += square;
      }
    }
  }

  /** Per channel: the sum of dy, and of dy * (x - mean[c]). */
  static void gradientSums(INDArray dy, INDArray x, float[] mean, double[] dySums, double[] dyCentredSums) {
    Floats g = Floats.of(dy);
    Floats in = Floats.of(x);
    int channels = mean.length;
    int len = rowLength(x);
    int rows = Math.toIntExact(x.length() / len);
    int bound = SPECIES.loopBound(len);
    for (int r = 0; r < rows; r++) {
      int c = r % channels;
      int gBase = g.start() + r * len * Float.BYTES;
      int xBase = in.start() + r * len * Float.BYTES;
      FloatVector mv = FloatVector.broadcast(SPECIES, mean[c]);
      FloatVector s = FloatVector.zero(SPECIES);
      FloatVector p = FloatVector.zero(SPECIES);
      int i = 0;
      for (; i < bound; i += SPECIES.length()) {
        FloatVector gv = FloatVector.fromByteBuffer(SPECIES, g.buffer(), gBase + i * Float.BYTES, ORDER);
        FloatVector d = FloatVector.fromByteBuffer(SPECIES, in.buffer(), xBase + i * Float.BYTES, ORDER).sub(mv);
        s = s.add(gv);
        p = gv.fma(d, p);
      }
      float sum = s.reduceLanes(VectorOperators.ADD);
      float product = p.reduceLanes(VectorOperators.ADD);
      for (; i < len; i++) {
        float gi = g.buffer().getFloat(gBase + i * Float.BYTES);
        sum += gi;
        product += gi * (in.buffer().getFloat(xBase + i * Float.BYTES) - mean[c]);
      }
      dySums[c] += sum;
      dyCentredSums[c] += product;
    }
  }

  /** out = x * scale[c] + shift[c]; {@code out} may be {@code x}. */
  static void affine(INDArray x, float[] scale, float[] shift, INDArray out) {
    combine(x, scale, null, null, shift, out);
  }

  /** out = a * a_scale[c] + b * b_scale[c] + shift[c]; {@code out} may be either input. */
  static void combine(INDArray a, float[] aScale, INDArray b, float[] bScale, float[] shift, INDArray out) {
    Floats fa = Floats.of(a);
    Floats fb = b == null ? null : Floats.of(b);
    Floats fo = Floats.of(out);
    int channels = shift.length;
    int len = rowLength(a);
    int rows = Math.toIntExact(a.length() / len);
    int bound = SPECIES.loopBound(len);
    for (int r = 0; r < rows; r++) {
      int c = r % channels;
      int offset = r * len * Float.BYTES;
      FloatVector av = FloatVector.broadcast(SPECIES, aScale[c]);
      FloatVector bv = FloatVector.broadcast(SPECIES, fb == null ? 0f : bScale[c]);
      FloatVector sv = FloatVector.broadcast(SPECIES, shift[c]);
      int i = 0;
      for (; i < bound; i += SPECIES.length()) {
        int at = offset + i * Float.BYTES;
        FloatVector acc = sv;
        if (fb != null) {
          acc = FloatVector.fromByteBuffer(SPECIES, fb.buffer(), fb.start() + at, ORDER).fma(bv, acc);
        }
        FloatVector.fromByteBuffer(SPECIES, fa.buffer(), fa.start() + at, ORDER).fma(av, acc)
            .intoByteBuffer(fo.buffer(), fo.start() + at, ORDER);
      }
      for (; i < len; i++) {
        int at = offset + i * Float.BYTES;
        float value = fa.buffer().getFloat(fa.start() + at) * aScale[c] + shift[c];
        if (fb != null) {
          value += fb.buffer().getFloat(fb.start() + at) * bScale[c];
        }
        fo.buffer().putFloat(fo.start() + at, value);
      }
    }
  }

  /** out = dy where z > 0, else 0: ReLU's gradient, for contiguous arrays of one shape ({@code out} may be either). */
  static void reluGradient(INDArray z, INDArray dy, INDArray out) {
    Floats fz = Floats.of(z);
    Floats fg = Floats.of(dy);
    Floats fo = Floats.of(out);
    int length = Math.toIntExact(z.length());
    int bound = SPECIES.loopBound(length);
    FloatVector zero = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      int at = i * Float.BYTES;
      FloatVector positive = FloatVector.fromByteBuffer(SPECIES, fz.buffer(), fz.start() + at, ORDER);
      zero.blend(FloatVector.fromByteBuffer(SPECIES, fg.buffer(), fg.start() + at, ORDER),
              positive.compare(VectorOperators.GT, 0f))
          .intoByteBuffer(fo.buffer(), fo.start() + at, ORDER);
    }
    for (; i < length; i++) {
      int at = i * Float.BYTES;
      fo.buffer().putFloat(fo.start() + at,
          fz.buffer().getFloat(fz.start() + at) > 0f ? fg.buffer().getFloat(fg.start() + at) : 0f);
    }
  }

  /** {@code x}, or a contiguous row-major copy where it has other strides: what the kernels read. */
  static INDArray contiguous(INDArray x) {
    return rowMajor(x) ? x : x.dup('c');
  }

  /** Whether {@code x} is contiguous and row-major (ND4J's default strides also pass for column-major arrays). */
  static boolean rowMajor(INDArray x) {
    return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x);
  }

  private static int rowLength(INDArray x) {
    return Math.toIntExact(x.size(2) * x.size(3));
  }
}
