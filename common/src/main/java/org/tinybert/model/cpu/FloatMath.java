package org.tinybert.model.cpu;

/**
 * erf and exp over float arrays, written so HotSpot's C2 compiler turns the loops into SIMD code.
 *
 * <p>Why not {@link Math#exp} or ND4J: {@code Math.exp} is a scalar double call (about 20 ns per value on the
 * benchmark machine) and ND4J's {@code Erf}/{@code Exp} ops ran at 7 to 18 ns per value; BERT-base's GELU and attention
 * softmax need about 230 million of them per batch of 32. C2 (Java 17) vectorises straight-line float arithmetic,
 * {@code Math.min}/{@code Math.max} and division over arrays, but not float/int conversions nor loops with large
 * bodies, so each function is a few short passes and only the exponent assembly of {@link #exp} stays scalar.
 *
 * <p>Accuracy, measured against double-precision references over the whole float range of the argument:
 * {@link #erf} within 4e-7 absolute (a few float ulps; PyTorch's vectorised CPU erf, Abramowitz-Stegun 7.1.26, is
 * within 1.5e-7 before rounding), {@link #exp} within 1 ulp for arguments in [-87, 0] and exactly 0 below -87.7.
 * The coefficients were fitted for this class (Lawson-weighted least squares for the smallest maximum relative
 * error; see docs/benchmarks.md) and checked by {@code FloatMathTest}.
 */
final class FloatMath {
  private FloatMath() {}

  // erf(x) = x P(x^2) / Q(x^2) on |x| <= 4 (relative error 6.5e-8 in exact arithmetic); beyond 4, erf is +-1 in float.
  private static final float P0 = 1.1283791065216064f;
  private static final float P1 = 0.20712001621723175f;
  private static final float P2 = 0.051524121314287186f;
  private static final float P3 = 0.003990289755165577f;
  private static final float P4 = 1.4727524830959737e-4f;
  private static final float P5 = -1.942176595548517e-6f;
  private static final float P6 = 1.9109414495233068e-8f;
  private static final float Q1 = 0.5168865919113159f;
  private static final float Q2 = 0.11796851456165314f;
  private static final float Q3 = 0.014957557432353497f;
  private static final float Q4 = 0.001021029194816947f;

  // exp(x) = 2^k e^r with k = round(x / ln 2) and |r| <= ln2 / 2; e^r = 1 + r + r^2 E(r) (relative error 3e-9).
  private static final float LOG2E = 1.4426950408889634f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, which ends up in the low bits. */
  private static final float ROUNDER = 12582912f;
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  /** ln 2 split so that k * LN2_HI is exact for |k| < 2^11 (Cody and Waite's argument reduction). */
  private static final float LN2_HI = 0.693145751953125f;
  private static final float LN2_LO = 1.4286068203094172e-6f;
  private static final float E0 = 0.4999999403953552f;
  private static final float E1 = 0.1666652113199234f;
  private static final float E2 = 0.04166838899254799f;
  private static final float E3 = 0.008368710055947304f;
  private static final float E4 = 0.001381461275741458f;
  /**
   * Arguments are clamped here: k is then at least -127, whose 2^k has an all-zero exponent field and so is 0. e^x
   * comes out exactly 0 below about -87.7 instead of a denormal (denormals would slow every later product down; the
   * masked keys of attention, at -10000, are the common case).
   */
  private static final float EXP_CLAMP = -88f;

  /**
   * x[off] + ... + x[off + n - 1]. C2 does not vectorise float sums (Java fixes their order), so eight independent
   * partial sums keep the adder busy instead: three times faster than one double accumulator.
   */
  static float sum(float[] x, int off, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      int o = off + i;
      s0 += x[o];
      s1 += x[o + 1];
      s2 += x[o + 2];
      s3 += x[o + 3];
      s4 += x[o + 4];
      s5 += x[o + 5];
      s6 += x[o + 6];
      s7 += x[o + 7];
    }
    for (; i < n; i++) s0 += x[off + i];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** a[off..] . b[off..] over n elements, with {@link #sum}'s eight partial sums. */
  static float dot(float[] a, float[] b, int off, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      int o = off + i;
      s0 += a[o] * b[o];
      s1 += a[o + 1] * b[o + 1];
      s2 += a[o + 2] * b[o + 2];
      s3 += a[o + 3] * b[o + 3];
      s4 += a[o + 4] * b[o + 4];
      s5 += a[o + 5] * b[o + 5];
      s6 += a[o + 6] * b[o + 6];
      s7 += a[o + 7] * b[o + 7];
    }
    for (; i < n; i++) s0 += a[off + i] * b[off + i];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /**
   * The largest of x[off..off + n) (NaNs are skipped). A comparison rather than {@link Math#max}, whose NaN and -0
   * rules cost twice as much per element.
   */
  static float max(float[] x, int off, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      m = v > m ? v : m;
    }
    return m;
  }

  /** y[i] = erf(scale * x[i]) for i in [0, n); y may be x. */
  static void erf(float[] x, float scale, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      float v = Math.max(-4f, Math.min(4f, x[i] * scale));
      float t = v * v;
      float p = (((((P6 * t + P5) * t + P4) * t + P3) * t + P2) * t + P1) * t + P0;
      float q = (((Q4 * t + Q3) * t + Q2) * t + Q1) * t + 1f;
      y[i] = v * p / q;
    }
  }

  /**
   * y[i] = e^x[i] for i in [0, n), for x[i] <= 0 (larger arguments are not supported: softmax and the Gaussian density
   * only need these); {@code work} is scratch of at least n floats. y may be x.
   */
  static void exp(float[] x, float[] y, float[] work, int n) {
    // Pass 1 (SIMD): reduce. work keeps x + ROUNDER's bits, which hold k.
    for (int i = 0; i < n; i++) {
      float v = Math.max(EXP_CLAMP, x[i]);
      float s = v * LOG2E + ROUNDER;
      float k = s - ROUNDER;
      work[i] = s;
      y[i] = (v - k * LN2_HI) - k * LN2_LO;
    }
    // Pass 2 (SIMD): e^r.
    for (int i = 0; i < n; i++) {
      float r = y[i];
      y[i] = 1f + (r + r * r * ((((E4 * r + E3) * r + E2) * r + E1) * r + E0));
    }
    // Pass 3 (scalar): times 2^k, built from its exponent bits.
    for (int i = 0; i < n; i++) {
      int k = Float.floatToRawIntBits(work[i]) - ROUNDER_BITS;
      y[i] *= Float.intBitsToFloat((k + 127) << 23);
    }
  }
}
