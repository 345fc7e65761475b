package io.fmnist.deep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm's passes over contiguous float activations, NCHW (each channel's values N rows of H * W
 * floats) or NHWC (N * H * W rows of one value per channel): sums per channel and per-channel affine
 * maps, several fused into one pass over memory; ReLU's gradient, one pass over arrays of any
 * shape; and a 2x2 max-pool's gradient over NHWC activations. SIMD through the JDK's Vector API at
 * the widest width this CPU has ({@code SPECIES_PREFERRED}: 16 floats with AVX-512, 8 with AVX2), chosen by the JVM at run time; sums in
 * float over at most a few hundred values (an NCHW row, {@link #FLUSH} NHWC rows) and in double
 * across them.
 */
final class ChannelKernels {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** NHWC rows summed in float before their sums go into the double totals. */
  private static final int FLUSH = 256;

  private ChannelKernels() {}

  /** The native memory of a contiguous float array, and where its first value is (in bytes). */
  private record Floats(ByteBuffer buffer, int start) {
    static Floats of(INDArray x) {
      return new Floats(x.data().asNio().order(ORDER), Math.toIntExact(x.offset() * Float.BYTES));
    }

    FloatVector load(int at) {
      return FloatVector.fromByteBuffer(SPECIES, buffer, start + at, ORDER);
    }

    float get(int at) {
      return buffer.getFloat(start + at);
    }
  }

  /**
   * Per channel: the sum of (x - shift[c]) into {@code sums}, and of its square into {@code squares}
   * (unless null); {@code shift} null is all zeros.
   */
  static void sums(INDArray x, CNN2DFormat format, float[] shift, double[] sums, double[] squares) {
    if (format == CNN2DFormat.NHWC) {
      sumsChannelsLast(Floats.of(x), rows(x, sums.length), shift, sums, squares);
      return;
    }
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

  private static void sumsChannelsLast(Floats in, int rows, float[] shift, double[] sums, double[] squares) {
    int channels = sums.length;
    float[] s = new float[channels];
    float[] q = new float[channels];
    float[] m = shift == null ? new float[channels] : shift;
    int bound = SPECIES.loopBound(channels);
    for (int r = 0; r < rows; r++) {
      int base = r * channels * Float.BYTES;
      int c = 0;
      for (; c < bound; c += SPECIES.length()) {
        FloatVector d = in.load(base + c * Float.BYTES).sub(FloatVector.fromArray(SPECIES, m, c));
        FloatVector.fromArray(SPECIES, s, c).add(d).intoArray(s, c);
        d.fma(d, FloatVector.fromArray(SPECIES, q, c)).intoArray(q, c);
      }
      for (; c < channels; c++) {
        float d = in.get(base + c * Float.BYTES) - m[c];
        s[c] += d;
        q[c] += d * d;
      }
      if ((r + 1) % FLUSH == 0 || r == rows - 1) {
        flush(s, sums);
        flush(q, squares);
      }
    }
  }

  /** Per channel: the sum of dy, and of dy * (x - mean[c]). */
  static void gradientSums(INDArray dy, INDArray x, CNN2DFormat format, float[] mean, double[] dySums,
      double[] dyCentredSums) {
    if (format == CNN2DFormat.NHWC) {
      gradientSumsChannelsLast(Floats.of(dy), Floats.of(x), rows(x, mean.length), mean, dySums, dyCentredSums);
      return;
    }
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

  private static void gradientSumsChannelsLast(Floats g, Floats in, int rows, float[] mean, double[] dySums,
      double[] dyCentredSums) {
    int channels = mean.length;
    float[] s = new float[channels];
    float[] p = new float[channels];
    int bound = SPECIES.loopBound(channels);
    for (int r = 0; r < rows; r++) {
      int base = r * channels * Float.BYTES;
      int c = 0;
      for (; c < bound; c += SPECIES.length()) {
        int at = base + c * Float.BYTES;
        FloatVector gv = g.load(at);
        FloatVector d = in.load(at).sub(FloatVector.fromArray(SPECIES, mean, c));
        FloatVector.fromArray(SPECIES, s, c).add(gv).intoArray(s, c);
        gv.fma(d, FloatVector.fromArray(SPECIES, p, c)).intoArray(p, c);
      }
      for (; c < channels; c++) {
        int at = base + c * Float.BYTES;
        float gi = g.get(at);
        s[c] += gi;
        p[c] += gi * (in.get(at) - mean[c]);
      }
      if ((r + 1) % FLUSH == 0 || r == rows - 1) {
        flush(s, dySums);
        flush(p, dyCentredSums);
      }
    }
  }

  /** Adds the float partial sums into the double totals (unless null) and zeroes them. */
  private static void flush(float[] partial, double[] totals) {
    if (totals != null) {
      for (int c = 0; c < partial.length; c++) {
        totals[c] += partial[c];
      }
    }
    Arrays.fill(partial, 0f);
  }

  /** out = x * scale[c] + shift[c]; {@code out} may be {@code x}. */
  static void affine(INDArray x, CNN2DFormat format, float[] scale, float[] shift, INDArray out) {
    combine(x, format, scale, null, null, shift, out);
  }

  /** out = a * a_scale[c] + b * b_scale[c] + shift[c]; {@code out} may be either input. */
  static void combine(INDArray a, CNN2DFormat format, float[] aScale, INDArray b, float[] bScale, float[] shift,
      INDArray out) {
    if (format == CNN2DFormat.NHWC) {
      combineChannelsLast(Floats.of(a), rows(a, shift.length), aScale, b == null ? null : Floats.of(b), bScale, shift,
          Floats.of(out));
      return;
    }
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

  private static void combineChannelsLast(Floats fa, int rows, float[] aScale, Floats fb, float[] bScale,
      float[] shift, Floats fo) {
    int channels = shift.length;
    int bound = SPECIES.loopBound(channels);
    for (int r = 0; r < rows; r++) {
      int base = r * channels * Float.BYTES;
      int c = 0;
      for (; c < bound; c += SPECIES.length()) {
        int at = base + c * Float.BYTES;
        FloatVector acc = FloatVector.fromArray(SPECIES, shift, c);
        if (fb != null) {
          acc = fb.load(at).fma(FloatVector.fromArray(SPECIES, bScale, c), acc);
        }
        fa.load(at).fma(FloatVector.fromArray(SPECIES, aScale, c), acc)
            .intoByteBuffer(fo.buffer(), fo.start() + at, ORDER);
      }
      for (; c < channels; c++) {
        int at = base + c * Float.BYTES;
        float value = fa.get(at) * aScale[c] + shift[c];
        if (fb != null) {
          value += fb.get(at) * bScale[c];
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

  /**
   * The gradient of a 2x2, stride-2 max-pool without padding over contiguous NHWC {@code x} ([N, H,
   * W, C]) for the output gradient {@code dy} (contiguous [N, H / 2, W / 2, C]) into {@code out} (x's
   * shape, contiguous): each dy value goes to the first input of its window, in row-major order, that
   * holds the window's maximum (libnd4j's and oneDNN's choice where several do: after a ReLU, zeros
   * tie), zero to the others and to the last row or column that an odd size leaves out.
   */
  static void maxPoolGradient(INDArray x, INDArray dy, INDArray out) {
    Floats fx = Floats.of(x);
    Floats fg = Floats.of(dy);
    Floats fo = Floats.of(out);
    int images = Math.toIntExact(x.size(0));
    int height = Math.toIntExact(x.size(1));
    int width = Math.toIntExact(x.size(2));
    int channels = Math.toIntExact(x.size(3));
    int outHeight = height / 2;
    int outWidth = width / 2;
    int bound = SPECIES.loopBound(channels);
    FloatVector zero = FloatVector.zero(SPECIES);
    int rowBytes = width * channels * Float.BYTES;
    int pixelBytes = channels * Float.BYTES;
    for (int image = 0; image < images; image++) {
      for (int i = 0; i < outHeight; i++) {
        for (int j = 0; j < outWidth; j++) {
          int topLeft = ((image * height + 2 * i) * width + 2 * j) * pixelBytes;
          int[] window = {topLeft, topLeft + pixelBytes, topLeft + rowBytes, topLeft + rowBytes + pixelBytes};
          int gradient = ((image * outHeight + i) * outWidth + j) * pixelBytes;
          int c = 0;
          for (; c < bound; c += SPECIES.length()) {
            int at = c * Float.BYTES;
            FloatVector a = fx.load(window[0] + at);
            FloatVector b = fx.load(window[1] + at);
            FloatVector d = fx.load(window[2] + at);
            FloatVector e = fx.load(window[3] + at);
            FloatVector max = a.max(b).max(d.max(e));
            FloatVector g = fg.load(gradient + at);
            VectorMask<Float> taken = a.compare(VectorOperators.EQ, max);
            zero.blend(g, taken).intoByteBuffer(fo.buffer(), fo.start() + window[0] + at, ORDER);
            VectorMask<Float> first = b.compare(VectorOperators.EQ, max).and(taken.not());
            zero.blend(g, first).intoByteBuffer(fo.buffer(), fo.start() + window[1] + at, ORDER);
            taken = taken.or(first);
            first = d.compare(VectorOperators.EQ, max).and(taken.not());
            zero.blend(g, first).intoByteBuffer(fo.buffer(), fo.start() + window[2] + at, ORDER);
            zero.blend(g, taken.or(first).not()).intoByteBuffer(fo.buffer(), fo.start() + window[3] + at, ORDER);
          }
          for (; c < channels; c++) {
            int at = c * Float.BYTES;
            int best = 0;
            for (int k = 1; k < 4; k++) {
              if (fx.get(window[k] + at) > fx.get(window[best] + at)) {
                best = k;
              }
            }
            for (int k = 0; k < 4; k++) {
              fo.buffer().putFloat(fo.start() + window[k] + at, k == best ? fg.get(gradient + at) : 0f);
            }
          }
        }
        if (width % 2 == 1) {
          int lastColumn = ((image * height + 2 * i) * width + width - 1) * pixelBytes;
          zeros(fo, lastColumn, pixelBytes);
          zeros(fo, lastColumn + rowBytes, pixelBytes);
        }
      }
      if (height % 2 == 1) {
        zeros(fo, (image * height + height - 1) * rowBytes, rowBytes);
      }
    }
  }

  private static void zeros(Floats out, int from, int bytes) {
    for (int at = from; at < from + bytes; at += Float.BYTES) {
      out.buffer().putFloat(out.start() + at, 0f);
    }
  }

  /** {@code x}, or a contiguous row-major copy where it has other strides: what the kernels read. */
  static INDArray contiguous(INDArray x) {
    return rowMajor(x) ? x : x.dup('c');
  }

  /**
   * Whether the elements of {@code x} lie in row-major order without gaps, judged by the strides of
   * the dimensions longer than 1: ND4J's order flag says 'f' for some vectors, and its default-strides
   * check refuses some unit dimensions' strides (a [32, 1, 3, 3] weight view).
   */
  static boolean rowMajor(INDArray x) {
    return rowMajor(x.shape(), x.stride());
  }

  private static boolean rowMajor(long[] shape, long[] stride) {
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  /**
   * The axes of {@code x} from the largest stride to the smallest, when permuting them so makes a
   * contiguous row-major array (any permutation of one); otherwise null.
   */
  static int[] memoryOrder(INDArray x) {
    long[] shape = x.shape();
    long[] strides = x.stride();
    int[] order = IntStream.range(0, x.rank()).boxed()
        .sorted(Comparator.comparingLong((Integer axis) -> strides[axis]).reversed())
        .mapToInt(Integer::intValue).toArray();
    long[] permutedShape = new long[order.length];
    long[] permutedStrides = new long[order.length];
    for (int axis = 0; axis < order.length; axis++) {
      permutedShape[axis] = shape[order[axis]];
      permutedStrides[axis] = strides[order[axis]];
    }
    return rowMajor(permutedShape, permutedStrides) ? order : null;
  }

  /**
   * The values of a float vector (a layer's parameters, a few hundred at most) read in place: ND4J's
   * {@code toFloatVector} copies the vector into a new ND4J array first, one native op and two
   * native buffers for the collector (see README, "The updater on the network's own gradient").
   */
  static float[] values(INDArray vector) {
    if (vector.dataType() != DataType.FLOAT || !rowMajor(vector)) {
      return vector.toFloatVector();
    }
    Floats in = Floats.of(vector);
    float[] values = new float[Math.toIntExact(vector.length())];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.get(i * Float.BYTES);
    }
    return values;
  }

  /** Writes {@code values} into a float vector of their length in place (a gradient view). */
  static void setValues(float[] values, INDArray vector) {
    if (vector.length() != values.length) {
      throw new IllegalArgumentException(values.length + " values for " + vector.length() + " elements");
    }
    if (vector.dataType() != DataType.FLOAT || !rowMajor(vector)) {
      vector.assign(Nd4j.createFromArray(values).reshape(vector.shape()));
      return;
    }
    Floats out = Floats.of(vector);
    for (int i = 0; i < values.length; i++) {
      out.buffer().putFloat(out.start() + i * Float.BYTES, values[i]);
    }
  }

  /** NHWC rows: one value per channel each. */
  private static int rows(INDArray x, int channels) {
    return Math.toIntExact(x.length() / channels);
  }

  private static int rowLength(INDArray x) {
    return Math.toIntExact(x.size(2) * x.size(3));
  }
}
